package hako.image;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReferenceTest {
    private static final String HEX = "a".repeat(64);

    @Test
    void aBareNameIsDockerHubsLibrary() {
        Reference busybox = Reference.parse("busybox");
        assertEquals("docker.io/library/busybox", busybox.name());
        assertEquals("latest", busybox.tag());
        assertEquals("registry-1.docker.io", busybox.apiHost());
        assertEquals("docker.io/library/busybox:latest", busybox.toString());
        assertEquals("docker.io/someone/tool", Reference.parse("someone/tool:1").name());
        assertEquals("docker.io/library/alpine", Reference.parse("index.docker.io/library/alpine").name());
    }

    @Test
    void aFirstComponentWithADotAPortOrLocalhostIsARegistry() {
        Reference ported = Reference.parse("host:5000/a/b:tag");
        assertEquals("host:5000", ported.domain());
        assertEquals("a/b", ported.path());
        assertEquals("tag", ported.tag());
        assertEquals("host", ported.hostName());
        assertEquals("localhost", Reference.parse("localhost/x").domain());
        assertEquals("x", Reference.parse("localhost/x").path());
        assertEquals("quay.io/podman/hello", Reference.parse("quay.io/podman/hello").name());
        // localhost alone is an image name on Docker Hub, as docker reads it
        assertEquals("docker.io/library/localhost", Reference.parse("localhost").name());
        assertEquals("127.0.0.1:5000/busybox", Reference.parse("127.0.0.1:5000/busybox").name());
    }

    @Test
    void aDigestIsAskedForExactlyAndRecordedAsTheTag() {
        Reference byDigest = Reference.parse("localhost:5000/busybox@sha256:" + HEX);
        assertNull(byDigest.tag());
        assertEquals("sha256:" + HEX, byDigest.manifestReference());
        assertEquals("sha256:" + HEX, byDigest.storedTag());
        Reference both = Reference.parse("busybox:1.36@sha256:" + HEX);
        assertEquals("1.36", both.tag());
        assertEquals("sha256:" + HEX, both.manifestReference());
        assertEquals("latest", Reference.parse("busybox").manifestReference());
    }

    @Test
    void aMalformedReferenceIsOneClearLine() {
        assertEquals("\"Busybox\" is not an image reference: repository names must be lower case",
                assertThrows(ImageException.class, () -> Reference.parse("Busybox")).getMessage());
        assertEquals("\"busybox:\" is not an image reference: \"\" is not a tag",
                assertThrows(ImageException.class, () -> Reference.parse("busybox:")).getMessage());
        assertEquals("\"busybox@sha256:12\" is not an image reference: \"sha256:12\" is not a sha256 digest",
                assertThrows(ImageException.class, () -> Reference.parse("busybox@sha256:12")).getMessage());
        assertEquals("\"\" is not an image reference: it names no repository",
                assertThrows(ImageException.class, () -> Reference.parse("")).getMessage());
        assertEquals("\"host:5000/a//b\" is not an image reference: \"\" is not a repository name component",
                assertThrows(ImageException.class, () -> Reference.parse("host:5000/a//b")).getMessage());
        assertEquals("\"a/-b\" is not an image reference: \"-b\" is not a repository name component",
                assertThrows(ImageException.class, () -> Reference.parse("a/-b")).getMessage());
        assertEquals("\"bad_host.io:x/a\" is not an image reference: \"bad_host.io:x\" is not a registry host",
                assertThrows(ImageException.class, () -> Reference.parse("bad_host.io:x/a")).getMessage());
    }
}
