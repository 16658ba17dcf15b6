package hako.image;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PlatformTest {
    private static Map<?, ?> entry(String digit, String os, String arch, String variant) {
        Map<String, Object> platform = new java.util.HashMap<>(Map.of("os", os, "architecture", arch));
        if (variant != null) platform.put("variant", variant);
        return Map.of("digest", "sha256:" + digit.repeat(64), "platform", platform);
    }

    private static final List<Map<?, ?>> INDEX = List.of(entry("1", "linux", "arm", "v7"), entry("2", "linux", "arm64", null),
            entry("3", "linux", "amd64", null), entry("4", "windows", "amd64", null), entry("5", "linux", "arm", "v6"));

    @Test
    void osAndArchitectureChooseAndAVariantOnlyWhenAskedFor() {
        assertEquals(INDEX.get(2), Platform.parse("linux/amd64").choose(INDEX, "index"));
        assertEquals(INDEX.get(0), Platform.parse("linux/arm").choose(INDEX, "index"));
        assertEquals(INDEX.get(4), Platform.parse("linux/arm/v6").choose(INDEX, "index"));
        assertEquals(INDEX.get(1), Platform.parse("linux/arm64/v8").choose(INDEX, "index"), "arm64 without a variant is v8");
        assertEquals(INDEX.get(3), Platform.parse("windows/amd64").choose(INDEX, "index"));
    }

    @Test
    void theHostIsLinuxAndGoarchsName() {
        Platform host = Platform.host();
        assertEquals("linux", host.os());
        assertEquals(switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> System.getProperty("os.arch");
        }, host.architecture());
    }

    @Test
    void oneCandidateOrNoPlatformsTakeTheFirst() {
        Map<?, ?> only = entry("9", "linux", "s390x", null);
        assertEquals(only, Platform.parse("linux/amd64").choose(List.of(only), "index"));
        List<Map<?, ?>> plain = List.of(Map.of("digest", "a"), Map.of("digest", "b"));
        assertEquals(plain.getFirst(), Platform.parse("linux/amd64").choose(plain, "index"));
    }

    @Test
    void noMatchAndBadFlagsAreOneLine() {
        assertEquals("index has no manifest for linux/riscv64 (it has linux/arm/v7, linux/arm64, linux/amd64, windows/amd64, linux/arm/v6)",
                assertThrows(ImageException.class, () -> Platform.parse("linux/riscv64").choose(INDEX, "index")).getMessage());
        assertEquals("\"linux\" is not a platform (OS/ARCH[/VARIANT], as linux/arm64)",
                assertThrows(ImageException.class, () -> Platform.parse("linux")).getMessage());
        assertEquals("\"linux/arm/v7/x\" is not a platform (OS/ARCH[/VARIANT], as linux/arm64)",
                assertThrows(ImageException.class, () -> Platform.parse("linux/arm/v7/x")).getMessage());
    }
}
