#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# The lists goldsmith shares with virt-sysprep (no appliance): the
# logfiles globs are virt-sysprep 1.48's exactly (its man page lists
# them; copied below as data), plus the additions the operation's
# description names, read through goldsmith's own configuration.
source "$(dirname "$0")/functions.sh"
plan 3

# virt-sysprep(1) 1.48.2, "logfiles": every glob it removes on Linux.
anchor='/etc/Pegasus/*.cnf
/etc/Pegasus/*.crt
/etc/Pegasus/*.csr
/etc/Pegasus/*.pem
/etc/Pegasus/*.srl
/root/anaconda-ks.cfg
/root/anaconda-post.log
/root/initial-setup-ks.cfg
/root/install.log
/root/install.log.syslog
/root/original-ks.cfg
/var/cache/fontconfig/*
/var/cache/gdm/*
/var/cache/man/*
/var/lib/AccountService/users/*
/var/lib/fprint/*
/var/lib/logrotate.status
/var/log/*.log*
/var/log/BackupPC/LOG
/var/log/ConsoleKit/*
/var/log/anaconda.syslog
/var/log/anaconda/*
/var/log/apache2/*_log
/var/log/apache2/*_log-*
/var/log/apt/*
/var/log/aptitude*
/var/log/audit/*
/var/log/btmp*
/var/log/ceph/*.log
/var/log/chrony/*.log
/var/log/cron*
/var/log/cups/*_log*
/var/log/debug*
/var/log/dmesg*
/var/log/exim4/*
/var/log/faillog*
/var/log/firewalld*
/var/log/gdm/*
/var/log/glusterfs/*glusterd.vol.log
/var/log/glusterfs/glusterfs.log
/var/log/grubby*
/var/log/httpd/*log
/var/log/installer/*
/var/log/jetty/jetty-console.log
/var/log/journal/*
/var/log/lastlog*
/var/log/libvirt/libvirtd.log
/var/log/libvirt/libxl/*.log
/var/log/libvirt/lxc/*.log
/var/log/libvirt/qemu/*.log
/var/log/libvirt/uml/*.log
/var/log/lightdm/*
/var/log/mail/*
/var/log/maillog*
/var/log/messages*
/var/log/ntp
/var/log/ntpstats/*
/var/log/ppp/connect-errors
/var/log/rhsm/*
/var/log/sa/*
/var/log/secure*
/var/log/setroubleshoot/*.log
/var/log/spooler*
/var/log/squid/*.log
/var/log/syslog*
/var/log/tallylog*
/var/log/tuned/tuned.log
/var/log/wtmp*
/var/log/xferlog*
/var/named/data/named.run'
# goldsmith's additions; each must be named in the description.
additions='/var/log/httpd/*_log-*'

tmp="$builddir/tests/tmp/anchor-lists"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
goldsmith config --json > "$tmp/config.json" 2> "$tmp/config.err"
read_conf () {
  python3 -c '
import json, sys
op = json.load(open(sys.argv[1]))["config"]["sysprep"]["logfiles"]
print("\n".join(sorted(op[sys.argv[2]])) if sys.argv[2] == "globs"
      else op[sys.argv[2]])' "$tmp/config.json" "$1"
}
globs=$(read_conf globs)
is "logfiles: virt-sysprep 1.48's globs plus the additions, nothing else" \
   "$globs" "$(printf '%s\n%s\n' "$anchor" "$additions" | LC_ALL=C sort)"
is "logfiles: no glob given twice" \
   "$(printf '%s\n' "$globs" | sort | uniq -d)" ""
desc=$(read_conf description)
missing=
while read -r a; do
  case "$desc" in *"F<${a%/*}>"*"F<${a##*/}>"*) ;; *) missing+=" $a" ;; esac
done <<< "$additions"
is "logfiles: each addition is named in its description" "$missing" ""
