package hako.rootfs;

import hako.stage.Flags;
import hako.spec.Spec;

import java.util.ArrayList;
import java.util.List;

/** A device node to create in the container's /dev. */
record Device(String path, int type, int mode, long major, long minor, long uid, long gid) {

    /** The devices every container gets, as the OCI spec lists them. */
    static List<Device> defaults() {
        return List.of(
                character("/dev/null", 1, 3),
                character("/dev/zero", 1, 5),
                character("/dev/full", 1, 7),
                character("/dev/random", 1, 8),
                character("/dev/urandom", 1, 9),
                character("/dev/tty", 5, 0));
    }

    private static Device character(String path, long major, long minor) {
        return new Device(path, Flags.S_IFCHR, 0666, major, minor, 0, 0);
    }

    /** The defaults, with the spec's linux.devices added; a spec device replaces a default at its path. */
    static List<Device> withSpecDevices(List<Device> defaults, List<Spec.Device> specDevices) {
        List<Device> devices = new ArrayList<>();
        for (Device device : defaults) {
            if (!specifies(specDevices, device.path())) devices.add(device);
        }
        for (Spec.Device d : specDevices) {
            int type = d.type().fileTypeBits();
            int mode = d.fileMode() == null ? 0666 : d.fileMode() & 07777;
            devices.add(new Device(d.path(), type, mode, d.major(), d.minor(),
                    d.uid() == null ? 0 : d.uid(), d.gid() == null ? 0 : d.gid()));
        }
        return devices;
    }

    private static boolean specifies(List<Spec.Device> specDevices, String path) {
        for (Spec.Device d : specDevices) {
            if (d.path().equals(path)) return true;
        }
        return false;
    }
}
