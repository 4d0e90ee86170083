package io.jenkins.plugins.progressive.kubernetes.apiserver;

/** A failure the API server answers with a Status body. */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int code;
    final String reason;
    final String name;
    final ResourceType type;

    ApiError(int code, String reason, String message, ResourceType type, String name) {
        super(message, null, false, false);
        this.code = code;
        this.reason = reason;
        this.type = type;
        this.name = name;
    }

    static ApiError notFound(ResourceType type, String name) {
        return new ApiError(404, "NotFound", type.qualifiedName() + " \"" + name + "\" not found", type, name);
    }

    static ApiError alreadyExists(ResourceType type, String name) {
        return new ApiError(409, "AlreadyExists", type.qualifiedName() + " \"" + name + "\" already exists", type,
                name);
    }

    static ApiError conflict(ResourceType type, String name) {
        return new ApiError(409, "Conflict", "Operation cannot be fulfilled on " + type.qualifiedName() + " \"" + name
                + "\": the object has been modified; please apply your changes to the latest version and try again",
                type, name);
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, "BadRequest", message, null, null);
    }

    static ApiError invalid(ResourceType type, String name, String message) {
        String kind = type.group().isEmpty() ? type.kind() : type.kind() + "." + type.group();
        return new ApiError(422, "Invalid", kind + " \"" + name + "\" is invalid: " + message, type, name);
    }
}
