package io.jenkins.plugins.progressive.steps;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.progressive.configuration.Texts;
import java.util.ArrayList;
import java.util.List;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * A step that moves a release forward: canary, blue-green or rolling. Adds the traffic router, background analysis,
 * the failure policy and the pre-rollout snapshot to what every targeted step takes.
 */
public abstract class RolloutStep extends AnalysedStep {

    static final List<String> ON_FAILURE = List.of("rollback", "pause", "fail");

    private String haproxyRuntimeApi = "";
    private String haproxyBackend = "";
    private String nginxUpstreamFile = "";
    private String nginxUpstream = "";
    private String nginxReloadCommand = "";
    private String ingress = "";
    private String httpRoute = "";
    private String virtualService = "";
    private String virtualServiceRoute = "";
    private String backgroundAnalysis = "";
    private String onFailure = "";
    private String snapshotStore = "";
    private String encryptionKeyCredentialsId = "";

    @Override
    final RolloutDriver.Operation operation() {
        return RolloutDriver.Operation.ROLLOUT;
    }

    @Override
    void bind(Binding b) {
        super.bind(b);
        List<String> routers = new ArrayList<>();
        if (!(haproxyRuntimeApi + haproxyBackend).isEmpty()) {
            routers.add("haproxy");
            ObjectNode h = b.object("traffic", "haproxy");
            required(b, h, "runtimeApi", haproxyRuntimeApi, "haproxyRuntimeApi");
            required(b, h, "backend", haproxyBackend, "haproxyBackend");
        }
        if (!(nginxUpstreamFile + nginxUpstream + nginxReloadCommand).isEmpty()) {
            routers.add("nginx");
            ObjectNode n = b.object("traffic", "nginx");
            required(b, n, "upstreamFile", nginxUpstreamFile, "nginxUpstreamFile");
            required(b, n, "upstream", nginxUpstream, "nginxUpstream");
            if (!nginxReloadCommand.isEmpty()) {
                ArrayNode argv = n.putArray("reloadCommand");
                ParameterSyntax.words(nginxReloadCommand).forEach(argv::add);
            }
        }
        if (!ingress.isEmpty()) {
            routers.add("nginxIngress");
            b.text(ingress, "ingress", "traffic", "nginxIngress");
        }
        if (!httpRoute.isEmpty()) {
            routers.add("gatewayApi");
            b.text(httpRoute, "httpRoute", "traffic", "gatewayApi");
        }
        if (!(virtualService + virtualServiceRoute).isEmpty()) {
            routers.add("istio");
            ObjectNode i = b.object("traffic", "istio");
            required(b, i, "virtualService", virtualService, "virtualService");
            b.text(virtualServiceRoute, "route", "traffic", "istio");
        }
        if (routers.size() > 1) {
            b.problem("traffic", "give the parameters of one traffic router only, not " + String.join(" and ", routers));
        }
        List<String> background = ParameterSyntax.list(backgroundAnalysis);
        if (!background.isEmpty()) {
            ArrayNode names = b.tree().putArray("backgroundAnalysis");
            background.forEach(names::add);
        }
        ParameterSyntax.checkOneOf(onFailure, ON_FAILURE).ifPresentOrElse(p -> b.problem("onFailure", p),
                () -> b.text(onFailure, "onFailure"));
        if (!snapshotStore.isEmpty()) {
            b.object("snapshot").put("enabled", true).put("store", snapshotStore);
        }
        b.option("encryptionKeyCredentialsId", encryptionKeyCredentialsId);
    }

    static void required(Binding b, ObjectNode into, String field, String value, String parameter) {
        if (value.isEmpty()) {
            b.problem(parameter, "is required with the other parameters of this traffic router");
        } else {
            into.put(field, value);
        }
    }

    public String getHaproxyRuntimeApi() {
        return haproxyRuntimeApi;
    }

    @DataBoundSetter
    public void setHaproxyRuntimeApi(String haproxyRuntimeApi) {
        this.haproxyRuntimeApi = Texts.trim(haproxyRuntimeApi);
    }

    public String getHaproxyBackend() {
        return haproxyBackend;
    }

    @DataBoundSetter
    public void setHaproxyBackend(String haproxyBackend) {
        this.haproxyBackend = Texts.trim(haproxyBackend);
    }

    public String getNginxUpstreamFile() {
        return nginxUpstreamFile;
    }

    @DataBoundSetter
    public void setNginxUpstreamFile(String nginxUpstreamFile) {
        this.nginxUpstreamFile = Texts.trim(nginxUpstreamFile);
    }

    public String getNginxUpstream() {
        return nginxUpstream;
    }

    @DataBoundSetter
    public void setNginxUpstream(String nginxUpstream) {
        this.nginxUpstream = Texts.trim(nginxUpstream);
    }

    public String getNginxReloadCommand() {
        return nginxReloadCommand;
    }

    @DataBoundSetter
    public void setNginxReloadCommand(String nginxReloadCommand) {
        this.nginxReloadCommand = Texts.trim(nginxReloadCommand);
    }

    public String getIngress() {
        return ingress;
    }

    @DataBoundSetter
    public void setIngress(String ingress) {
        this.ingress = Texts.trim(ingress);
    }

    public String getHttpRoute() {
        return httpRoute;
    }

    @DataBoundSetter
    public void setHttpRoute(String httpRoute) {
        this.httpRoute = Texts.trim(httpRoute);
    }

    public String getVirtualService() {
        return virtualService;
    }

    @DataBoundSetter
    public void setVirtualService(String virtualService) {
        this.virtualService = Texts.trim(virtualService);
    }

    public String getVirtualServiceRoute() {
        return virtualServiceRoute;
    }

    @DataBoundSetter
    public void setVirtualServiceRoute(String virtualServiceRoute) {
        this.virtualServiceRoute = Texts.trim(virtualServiceRoute);
    }

    public String getBackgroundAnalysis() {
        return backgroundAnalysis;
    }

    @DataBoundSetter
    public void setBackgroundAnalysis(String backgroundAnalysis) {
        this.backgroundAnalysis = Texts.trim(backgroundAnalysis);
    }

    public String getOnFailure() {
        return onFailure;
    }

    @DataBoundSetter
    public void setOnFailure(String onFailure) {
        this.onFailure = Texts.trim(onFailure);
    }

    public String getSnapshotStore() {
        return snapshotStore;
    }

    @DataBoundSetter
    public void setSnapshotStore(String snapshotStore) {
        this.snapshotStore = Texts.trim(snapshotStore);
    }

    public String getEncryptionKeyCredentialsId() {
        return encryptionKeyCredentialsId;
    }

    @DataBoundSetter
    public void setEncryptionKeyCredentialsId(String encryptionKeyCredentialsId) {
        this.encryptionKeyCredentialsId = Texts.trim(encryptionKeyCredentialsId);
    }
}
