package main

import "testing"

func TestParseMountinfo(t *testing.T) {
	for line, want := range map[string]mountEntry{
		"48 27 0:45 / /tmp/t/mnt rw,nosuid,nodev,relatime - fuse.compsfs compsfs rw,user_id=0,group_id=0":   {"/tmp/t/mnt", "fuse.compsfs", "compsfs"},
		"36 35 98:0 /mnt1 /mnt/my\\040dir rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue": {"/mnt/my dir", "ext3", "/dev/root"},
		"60 27 0:50 / /tmp/x rw,relatime shared:30 - tmpfs tmpfs rw,size=1024k":                             {"/tmp/x", "tmpfs", "tmpfs"},
		"61 27 0:51 / /tmp/back\\134slash rw - fuse.sshfs user@host:/ rw":                                   {"/tmp/back\\slash", "fuse.sshfs", "user@host:/"},
	} {
		got, ok := parseMountinfo(line)
		if !ok || got != want {
			t.Errorf("%q: %+v %v, want %+v", line, got, ok, want)
		}
	}
	for _, bad := range []string{"", "1 2 3", "36 35 98:0 /mnt1 /mnt rw no separator here"} {
		if _, ok := parseMountinfo(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}
