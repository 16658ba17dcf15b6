#!/bin/bash
# Makes a small root filesystem from Debian's busybox-static: usage: busybox-rootfs.sh DIR
# DIR gets bin/ with busybox and a link per applet, and the few files in /etc that tools expect.
set -euo pipefail
root=$1
busybox=/bin/busybox
mkdir -p "$root"/{bin,etc,proc,sys,dev,tmp,root,var/tmp}
chmod 1777 "$root/tmp" "$root/var/tmp"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
ln -sfn bin "$root/sbin"
mkdir -p "$root/usr"
ln -sfn ../bin "$root/usr/bin"
ln -sfn ../bin "$root/usr/sbin"
cat > "$root/etc/passwd" <<'END'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
END
cat > "$root/etc/group" <<'END'
root:x:0:
nobody:x:65534:
END
