package hako.rootfs;

import hako.security.IdMaps;

/**
 * A bind mount with {@code idmap}/{@code ridmap} or mappings of its own, which the stage makes
 * before the clone ({@link hako.stage.Op.OpenTree}) and init attaches ({@link hako.stage.Op.MoveMount}).
 *
 * @param recursive      the whole tree under the source (rbind)
 * @param recursiveIdmap every mount of that tree id-mapped ({@code ridmap}), not only the top one
 * @param maps           the user namespace's maps: how ids on the source's filesystem appear in the mount
 */
public record IdMappedMount(String source, boolean recursive, boolean recursiveIdmap, IdMaps maps) {
}
