package hako.cgroup;

import hako.spec.CpuList;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the machine has, for checking limits before anything is made: the CPUs and memory nodes
 * a new cgroup may use, its block devices, its huge page sizes. An interface so that the
 * conversion of limits is tested without the machine.
 */
interface Host {
    /** The CPUs a cgroup at that place may be given. */
    BitSet cpus();

    /** The memory nodes a cgroup at that place may be given. */
    BitSet mems();

    boolean blockDevice(long major, long minor);

    /** The huge page sizes as the hugetlb files name them: {@code 2MB}, {@code 1GB}. */
    Set<String> hugePageSizes();

    /**
     * The machine as seen from the cgroup directory {@code place} (the nearest one that exists
     * above the container's): its effective cpuset when the cpuset controller gives one, else
     * every online CPU and node. Read through {@code files}.
     */
    static Host at(CgroupFiles files, Path place) {
        return new Host() {
            public BitSet cpus() {
                return list(files, place.resolve("cpuset.cpus.effective"), Path.of("/sys/devices/system/cpu/online"), "0");
            }

            public BitSet mems() {
                return list(files, place.resolve("cpuset.mems.effective"), Path.of("/sys/devices/system/node/online"), "0");
            }

            public boolean blockDevice(long major, long minor) {
                return files.exists(Path.of("/sys/dev/block/" + major + ":" + minor));
            }

            public Set<String> hugePageSizes() {
                Set<String> sizes = new TreeSet<>();
                // No huge pages on this machine: no such directory, and the set stays empty.
                for (Path entry : files.children(Path.of("/sys/kernel/mm/hugepages"))) {
                    String name = entry.getFileName().toString();
                    if (!name.startsWith("hugepages-") || !name.endsWith("kB")) continue;
                    try {
                        sizes.add(pageSizeName(Long.parseLong(name.substring(10, name.length() - 2))));
                    } catch (NumberFormatException e) {
                        // not a size
                    }
                }
                return sizes;
            }
        };
    }

    /** The kernel's name for a huge page size in kB, as in hugetlb.2MB.max. */
    static String pageSizeName(long kilobytes) {
        if (kilobytes >= 1024 * 1024 && kilobytes % (1024 * 1024) == 0) return kilobytes / (1024 * 1024) + "GB";
        if (kilobytes >= 1024 && kilobytes % 1024 == 0) return kilobytes / 1024 + "MB";
        return kilobytes + "KB";
    }

    private static BitSet list(CgroupFiles files, Path file, Path fallback, String last) {
        for (Path candidate : new Path[] {file, fallback}) {
            String text = files.read(candidate);
            if (text == null || text.isBlank()) continue;
            try {
                return CpuList.parse(text.strip());
            } catch (IllegalArgumentException e) {
                // try the next one
            }
        }
        return CpuList.parse(last);
    }
}
