#!/bin/bash -
# make-phony-guests.sh DIR: build the phony guest images the end-to-end
# tests share, in ONE appliance launch, and save a manifest of each
# (every path, with sha256 of regular files) for later comparison.
#
# fedora.img: raw, MBR, /dev/sda1 = /boot (ext4), /dev/sda2 = LVM PV of
# VG "VG" with LV "Root" (ext4, /).  It holds the targets of the sysprep
# operations and decoys that must survive them.
set -e
dir="${1:-tests/phony}"
mkdir -p "$dir"
source "$(dirname "$0")/functions.sh"

rm -f "$dir/fedora.img.tmp"
guestfish -N "$dir/fedora.img.tmp"=disk:256M <<EOF2
part-init /dev/sda mbr
part-add /dev/sda p 2048 133119
part-add /dev/sda p 133120 -64
pvcreate /dev/sda2
vgcreate VG /dev/sda2
lvcreate Root VG 160
mkfs ext4 /dev/sda1 label:BOOT
mkfs ext4 /dev/VG/Root label:ROOT
mount /dev/VG/Root /
mkdir /boot
mount /dev/sda1 /boot

mkdir-p /bin
mkdir-p /etc/ssh
mkdir-p /etc/sysconfig
mkdir-p /usr/bin
mkdir-p /var/lib/dbus
mkdir-p /var/lib/rpm
mkdir-p /var/log/audit
mkdir-p /var/log/journal/0123456789abcdef0123456789abcdef
mkdir-p /var/log/anaconda
mkdir-p /var/log/httpd
mkdir-p /var/log/custom
mkdir-p /var/cache/man
mkdir-p /root
mkdir-p /home/alice
mkdir-p /home/bob
mkdir-p /home/carol
mkdir-p /srv/data
mkdir-p /boot/grub2
upload /bin/ls /bin/ls
chmod 0755 /bin/ls

write /etc/os-release "NAME=\"Fedora Linux\"\nVERSION=\"38 (Server Edition)\"\nID=fedora\nVERSION_ID=38\nPRETTY_NAME=\"Fedora Linux 38 (Server Edition)\"\n"
write /etc/fedora-release "Fedora release 38 (Thirty Eight)\n"
write /etc/redhat-release "Fedora release 38 (Thirty Eight)\n"
write /etc/fstab "/dev/VG/Root / ext4 defaults 0 1\n/dev/sda1 /boot ext4 defaults 0 2\n"
write /etc/hostname "phony-fedora.example.com\n"
write /etc/passwd "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice:/home/alice:/bin/bash\nbob:x:1001:1001:Bob:/home/bob:/bin/bash\n"
write /etc/shadow "root:!::0:99999:7:::\nalice:!::0:99999:7:::\nbob:!::0:99999:7:::\n"
write /etc/group "root:x:0:\nalice:x:1000:\nbob:x:1001:\n"
write /etc/login.defs "UID_MIN 1000\nUID_MAX 60000\n"
write /etc/machine-id "0123456789abcdef0123456789abcdef\n"
write /var/lib/dbus/machine-id "0123456789abcdef0123456789abcdef\n"

# ssh-hostkeys: targets, then decoys
write /etc/ssh/ssh_host_rsa_key "PRIVATE RSA\n"
write /etc/ssh/ssh_host_rsa_key.pub "ssh-rsa AAAA host\n"
write /etc/ssh/ssh_host_ed25519_key "PRIVATE ED25519\n"
write /etc/ssh/ssh_host_ed25519_key.pub "ssh-ed25519 AAAA host\n"
write /etc/ssh/sshd_config "PermitRootLogin no\n"
write /etc/ssh/ssh_config "Host *\n"
write /etc/ssh/moduli "# moduli\n"

# bash-history: targets (one a symlink to /etc/passwd: the link goes,
# /etc/passwd stays), then decoys
write /root/.bash_history "mysql -p hunter2\n"
write /home/alice/.bash_history "ls\n"
write /home/bob/.bash_history "sudo -i\n"
ln-s /etc/passwd /home/carol/.bash_history
write /root/.bashrc "# bashrc\n"
write /home/alice/.bashrc "# bashrc\n"
write /home/alice/notes.txt "keep me\n"
write /home/alice/.zsh_history "zsh decoy\n"
write /home/bob/bash_history "not a dot file\n"

# logfiles: targets, then decoys
write /var/log/messages "boot\n"
write /var/log/messages-20260101 "old boot\n"
write /var/log/secure "auth\n"
write /var/log/boot.log "boot log\n"
write /var/log/dnf.log "dnf\n"
write /var/log/wtmp "wtmp\n"
write /var/log/btmp "btmp\n"
write /var/log/lastlog "lastlog\n"
write /var/log/audit/audit.log "audit\n"
write /var/log/journal/0123456789abcdef0123456789abcdef/system.journal "journal\n"
write /var/log/anaconda/anaconda.log "anaconda\n"
write /var/log/httpd/access_log "GET /\n"
write /root/anaconda-ks.cfg "kickstart\n"
write /var/lib/logrotate.status "logrotate state\n"
write /var/cache/man/index.db "man\n"
write /var/log/README "decoy: not a log glob\n"
write /var/log/custom/app.txt "decoy: custom dir\n"
write /var/log/httpd/keep.txt "decoy: not *log\n"
write /srv/data/messages "decoy: same name elsewhere\n"
write /boot/grub2/grub.cfg "# grub\n"

tar-out / "$dir/fedora.tar"
EOF2
mv "$dir/fedora.img.tmp" "$dir/fedora.img"
python3 "$(dirname "$0")/manifest.py" "$dir/fedora.tar" > "$dir/fedora.manifest"
rm -f "$dir/fedora.tar"
