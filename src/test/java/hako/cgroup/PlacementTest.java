package hako.cgroup;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** linux.cgroupsPath in its three forms, and the default. */
class PlacementTest {
    static String resolve(String cgroupsPath, String own) {
        return Placement.resolve(cgroupsPath, "web", own);
    }

    static String error(String cgroupsPath) {
        return assertThrows(CgroupException.class, () -> resolve(cgroupsPath, "/")).getMessage();
    }

    @Test
    void defaultIsHakoSlashIdBelowOurOwnCgroup() {
        assertEquals("/hako/web", resolve(null, "/"));
        assertEquals("/hako/web", resolve("", "/"));
        assertEquals("/user.slice/session-3.scope/hako/web", resolve(null, "/user.slice/session-3.scope"));
    }

    @Test
    void absolutePathsStartAtTheRootOfTheTree() {
        assertEquals("/machines/web", resolve("/machines/web", "/user.slice"));
        assertEquals("/machines/web", resolve("/machines/web/", "/"));
        assertEquals("/a:b:c", resolve("/a:b:c", "/"), "an absolute path is a path, colons and all");
    }

    @Test
    void relativePathsStartAtOurOwnCgroup() {
        assertEquals("/pods/web", resolve("pods/web", "/"));
        assertEquals("/system.slice/containerd.service/pods/web", resolve("pods/web", "/system.slice/containerd.service"));
    }

    @Test
    void systemdSlicePrefixNameBecomesTheUnitsPath() {
        assertEquals("/system.slice/docker-web.scope", resolve("system.slice:docker:web", "/"));
        assertEquals("/system.slice/web.scope", resolve("system.slice::web", "/"));
        assertEquals("/system.slice/hako-web.scope", resolve(":hako:web", "/"), "no slice: system.slice");
        assertEquals("/machine.slice/machine-libpod_pod_1.slice/libpod-web.scope",
                resolve("machine-libpod_pod_1.slice:libpod:web", "/"));
        assertEquals("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-web.scope",
                resolve("kubepods-besteffort-pod1.slice:cri-containerd:web", "/user.slice"), "never relative to our own cgroup");
        assertEquals("/system.slice/pod.slice", resolve("system.slice:ignored:pod.slice", "/"), "a slice name is the unit");
        assertEquals("/hako-web.scope", resolve("-.slice:hako:web", "/"), "-.slice is the root");
    }

    @Test
    void pathsThatCouldLeaveTheirPlaceAreRefused() {
        assertEquals("config.json: linux.cgroupsPath: \"/a/../../etc\" has an empty, \".\" or \"..\" part; "
                + "a cgroup path names cgroups, one below the other", error("/a/../../etc"));
        error("../escape");
        error("a//b");
        error("./a");
        assertEquals("config.json: linux.cgroupsPath: \"/\" is the root of the cgroup tree; name a cgroup below it", error("/"));
    }

    @Test
    void malformedSystemdFormsAreRefused() {
        assertEquals("config.json: linux.cgroupsPath: \"a--b.slice\" is not a slice name systemd accepts "
                + "(dashes separate its parents: a-b.slice is inside a.slice)", error("a--b.slice:x:web"));
        error("-a.slice:x:web");
        error("system.slice:x:");
        error("system.slice:x:a/b");
    }

    @Test
    void theSystemdDriversUnitIsRuncsWithHakoAsTheDefaultPrefix() {
        assertEquals(new SystemdUnit("system.slice", "hako-web.scope", "/system.slice/hako-web.scope"), Placement.systemdUnit(null, "web", "/"));
        assertEquals(new SystemdUnit("system.slice", "hako-web.scope", "/system.slice/hako-web.scope"), Placement.systemdUnit("", "web", "/"));
        String manager = Placement.managerCgroup(1000, true);
        assertEquals("/user.slice/user-1000.slice/user@1000.service", manager);
        assertEquals(new SystemdUnit("user.slice", "hako-web.scope", manager + "/user.slice/hako-web.scope"), Placement.systemdUnit("", "web", manager),
                "rootless: the user.slice of its systemd --user, below that manager's own cgroup");
        assertEquals(new SystemdUnit("app.slice", "x-web.scope", manager + "/app.slice/x-web.scope"), Placement.systemdUnit("app.slice:x:web", "web", manager));
        assertEquals("/", Placement.managerCgroup(0, false));
        assertEquals(new SystemdUnit("machine.slice", "libpod-1.scope", "/machine.slice/libpod-1.scope"),
                Placement.systemdUnit("machine.slice:libpod:1", "web", "/"));
        assertEquals(new SystemdUnit("system.slice", "x.scope", "/system.slice/x.scope"), Placement.systemdUnit(":  :x".replace("  ", ""), "web", "/"),
                "no slice, no prefix");
        SystemdUnit slice = Placement.systemdUnit("kubepods.slice:p:kubepods-pod1.slice", "web", "/");
        assertEquals("kubepods-pod1.slice", slice.name());
        assertTrue(slice.isSlice());
    }

    @Test
    void theSystemdDriverRefusesAPathThatIsNotSlicePrefixName() {
        for (String path : new String[] {"/machines/web", "pods/web", "a:b", "a:b:c:d", "notaslice:x:web"}) {
            CgroupException e = assertThrows(CgroupException.class, () -> Placement.systemdUnit(path, "web", "/"));
            assertEquals("config.json: linux.cgroupsPath: \"" + path + "\" is not systemd's slice:prefix:name form, which the systemd "
                    + "cgroup driver (--systemd-cgroup) needs (\"system.slice:hako:web\", or empty)", e.getMessage());
        }
    }
}
