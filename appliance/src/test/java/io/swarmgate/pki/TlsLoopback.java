package io.swarmgate.pki;

import java.io.InputStream;
import java.net.InetAddress;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** A real TLS handshake on 127.0.0.1 between a server using a key store and a client with a given trust store. */
final class TlsLoopback {

    private TlsLoopback() {
    }

    static KeyStore trustStoreOf(List<X509Certificate> trusted) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (int i = 0; i < trusted.size(); i++) {
            store.setCertificateEntry("trusted-" + i, trusted.get(i));
        }
        return store;
    }

    /**
     * Serves one connection with {@code serverStore} and connects to it as a client that trusts
     * only {@code trust} (the JVM's default roots when null) and checks the server's names as HTTPS does (for IP 127.0.0.1).
     *
     * @return the chain the server presented
     */
    static Certificate[] handshake(KeyStore serverStore, char[] password, KeyStore trust) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(serverStore, password);
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);

        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, tmf.getTrustManagers(), null);

        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (SSLServerSocket server = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 1, loopback)) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (SSLSocket accepted = (SSLSocket) server.accept()) {
                    accepted.startHandshake();
                    accepted.getOutputStream().write(42);
                    accepted.getOutputStream().flush();
                } catch (Exception e) {
                    // the client side reports the failure the test asserts on
                }
            });
            try (SSLSocket client = (SSLSocket) clientContext.getSocketFactory()
                    .createSocket(loopback, server.getLocalPort())) {
                SSLParameters params = client.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                client.setSSLParameters(params);
                client.setSoTimeout(10_000);
                client.startHandshake();
                InputStream in = client.getInputStream();
                if (in.read() != 42) {
                    throw new IllegalStateException("no application data after handshake");
                }
                return client.getSession().getPeerCertificates();
            } finally {
                served.get(10, TimeUnit.SECONDS);
            }
        }
    }
}
