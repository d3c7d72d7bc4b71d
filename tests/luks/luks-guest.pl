#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0-or-later
# luks-guest.pl build IMAGE KEY DATA.LUKS DATAKEY | machine-id IMAGE KEY:
# the phony
# encrypted guest of tests/luks/test-luks.sh, through libguestfs's Perl
# binding (guestfish reads keys from stdin, where its script is).
# IMAGE's partition 1 already holds a LUKS header (made on the host,
# with a fast PBKDF): "build" puts LVM inside it (VG CVG, LV root,
# ext4, a minimal Debian root; LV data, holding the LUKS volume
# DATA.LUKS made on the host, with ext4 inside); "machine-id" prints
# the size of its
# /etc/machine-id, read back independently of goldsmith.
use strict;
use warnings;
use Sys::Guestfs;

my ($cmd, $img, $key, $data_luks, $data_key) = @ARGV;
my $g = Sys::Guestfs->new ();
$g->add_drive_opts ($img, format => "raw", readonly => $cmd eq "build" ? 0 : 1);
$g->launch ();
$g->cryptsetup_open ("/dev/sda1", $key, "cr", readonly => $cmd eq "build" ? 0 : 1);
if ($cmd eq "build") {
    $g->pvcreate ("/dev/mapper/cr");
    $g->vgcreate ("CVG", ["/dev/mapper/cr"]);
    $g->lvcreate ("root", "CVG", 48);
    $g->lvcreate_free ("data", "CVG", 100);
    # LUKS inside an LV: a header made on the host, uploaded, opened.
    $g->upload ($data_luks, "/dev/CVG/data");
    $g->cryptsetup_open ("/dev/CVG/data", $data_key, "crdata");
    $g->mkfs ("ext4", "/dev/mapper/crdata");
    $g->cryptsetup_close ("/dev/mapper/crdata");
    $g->mkfs ("ext4", "/dev/CVG/root");
    $g->mount ("/dev/CVG/root", "/");
    $g->mkdir_p ($_) for qw(/etc /usr/bin /tmp /var/tmp /root);
    $g->ln_s ("usr/bin", "/bin");
    $g->write ("/etc/os-release", "NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n");
    $g->write ("/etc/debian_version", "12.8\n");
    $g->write ("/etc/fstab", "/dev/CVG/root / ext4 defaults 0 1\n");
    $g->write ("/etc/hostname", "phony-luks\n");
    $g->write ("/etc/machine-id", "0123456789abcdef0123456789abcdef\n");
    $g->umount_all ();
    $g->vg_activate (0, ["CVG"]);
    $g->cryptsetup_close ("/dev/mapper/cr");
}
else {
    $g->lvm_scan (1);
    $g->mount_ro ("/dev/CVG/root", "/");
    print $g->filesize ("/etc/machine-id"), "\n";
}
$g->shutdown ();
$g->close ();
