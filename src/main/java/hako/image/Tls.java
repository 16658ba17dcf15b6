package hako.image;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS for registries: the machine's CA store ({@code /etc/ssl/certs/ca-certificates.crt}, where
 * Debian's update-ca-certificates puts what an administrator added) together with the JDK's own
 * roots; or, for --tls-verify=false, a context that takes any certificate for any name.
 */
final class Tls {
    static final Path SYSTEM_BUNDLE = Path.of("/etc/ssl/certs/ca-certificates.crt");

    private Tls() {}

    static SSLContext verifying() {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            jdk.init((KeyStore) null);
            int n = 0;
            for (TrustManager manager : jdk.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    for (X509Certificate certificate : x509.getAcceptedIssuers()) store.setCertificateEntry("jdk-" + n++, certificate);
                }
            }
            if (Files.isReadable(SYSTEM_BUNDLE)) {
                try (InputStream in = Files.newInputStream(SYSTEM_BUNDLE)) {
                    for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                        store.setCertificateEntry("system-" + n++, certificate);
                    }
                }
            }
            TrustManagerFactory both = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            both.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, both.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new ImageException("loading the CA certificates (" + SYSTEM_BUNDLE + "): " + e.getMessage(), e);
        }
    }

    /**
     * Any certificate, any host name. An X509ExtendedTrustManager, because JSSE checks the host
     * name inside the trust manager for those: this one checks nothing.
     */
    static SSLContext trustingAll() {
        TrustManager trustAll = new X509ExtendedTrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] chain, String type, Socket socket) {}
            @Override public void checkServerTrusted(X509Certificate[] chain, String type, Socket socket) {}
            @Override public void checkClientTrusted(X509Certificate[] chain, String type, SSLEngine engine) {}
            @Override public void checkServerTrusted(X509Certificate[] chain, String type, SSLEngine engine) {}
            @Override public void checkClientTrusted(X509Certificate[] chain, String type) {}
            @Override public void checkServerTrusted(X509Certificate[] chain, String type) {}
            @Override public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustAll}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new ImageException("setting up TLS: " + e.getMessage(), e);
        }
    }
}
