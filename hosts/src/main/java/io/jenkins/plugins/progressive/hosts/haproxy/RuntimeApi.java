package io.jenkins.plugins.progressive.hosts.haproxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** One command per connection to the HAProxy runtime API (the non-interactive mode closes after the answer). */
final class RuntimeApi {

    private final String address;
    private final Path socketPath;
    private final InetSocketAddress tcp;

    /** @param address {@code unix:/path}, {@code tcp:host:port} or {@code host:port} */
    RuntimeApi(String address) {
        this.address = address;
        if (address.startsWith("unix:")) {
            socketPath = Path.of(address.substring("unix:".length()));
            tcp = null;
        } else {
            String hostPort = address.startsWith("tcp:") ? address.substring("tcp:".length()) : address;
            int colon = hostPort.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("runtimeApi must be unix:/path/to/socket or tcp:host:port, got '"
                        + address + "'");
            }
            int port;
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("runtimeApi port must be a number, got '" + address + "'");
            }
            socketPath = null;
            tcp = InetSocketAddress.createUnresolved(hostPort.substring(0, colon), port);
        }
    }

    String address() {
        return address;
    }

    /** Sends one command and returns the answer without its trailing blank lines. */
    String execute(String command) throws IOException {
        SocketAddress target;
        SocketChannel channel;
        if (socketPath != null) {
            if (!Files.exists(socketPath)) {
                throw new IOException("haproxy runtime API not reachable at " + address + ": No such file");
            }
            target = UnixDomainSocketAddress.of(socketPath);
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } else {
            target = new InetSocketAddress(tcp.getHostString(), tcp.getPort());
            channel = SocketChannel.open();
        }
        try (channel) {
            try {
                channel.connect(target);
            } catch (IOException e) {
                throw new IOException("haproxy runtime API not reachable at " + address + ": " + e.getMessage(), e);
            }
            ByteBuffer out = ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(8192);
            while (channel.read(in) >= 0) {
                in.flip();
                answer.write(in.array(), 0, in.limit());
                in.clear();
            }
            return answer.toString(StandardCharsets.UTF_8).strip();
        }
    }
}
