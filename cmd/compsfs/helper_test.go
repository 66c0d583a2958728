package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// helperScript mounts with mount(8) twice, once with -t fuse.compsfs and
// once from an fstab, reads a work item each time and unmounts. mount(8)
// runs mount.fuse3 without PATH, whose shell finds compsfs in the default
// PATH: the script runs in a private mount namespace where /usr/local/bin
// is the folder of the compsfs under test.
const helperScript = `set -eu
mount --bind "$BIN" /usr/local/bin
first() { id=$(ls "$MNT/workitems" | head -n 1); echo "name=$(cat "$MNT/workitems/$id/name")"; echo "state=$(cat "$MNT/workitems/$id/state")"; }

mount -t fuse.compsfs local "$MNT" -o ro,demo,cache_size=1GiB,data=$HOME/data1,cache_dir=$HOME/cache1,spool_dir=$HOME/spool1
echo "type=$(awk -v m="$MNT" '$5 == m' /proc/self/mountinfo | sed 's/.* - //; s/ .*//')"
first
if touch "$MNT/workitems/$id/name" 2>/dev/null; then echo "ro=no"; else echo "ro=yes"; fi
compsfs unmount "$MNT"

mount --fstab "$FSTAB" "$MNT"
echo "type=$(awk -v m="$MNT" '$5 == m' /proc/self/mountinfo | sed 's/.* - //; s/ .*//')"
first
umount "$MNT"
`

func TestMountAndFstabRunTheMountHelperForm(t *testing.T) {
	needFUSE(t)
	for _, tool := range []string{"unshare", "mount.fuse3", "mount"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s: %v", tool, err)
		}
	}
	c := newCLI(t)
	mnt := t.TempDir()
	fstabLog := filepath.Join(c.home, "fstab.log")
	fstab := filepath.Join(c.home, "fstab")
	line := "local " + mnt + " fuse.compsfs defaults,_netdev,nofail,x-systemd.automount,demo,data=" + c.home +
		"/data2,cache_dir=" + c.home + "/cache2,spool_dir=" + c.home + "/spool2,log_file=" + fstabLog + " 0 0\n"
	if err := os.WriteFile(fstab, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c", helperScript)
	cmd.Env = append(append([]string{}, c.env...), "BIN="+filepath.Dir(compsfsBin), "MNT="+mnt, "FSTAB="+fstab)
	r := runCommand(t, cmd)
	t.Cleanup(func() { waitGone(t, r.stderr) })
	if r.code != 0 {
		t.Fatalf("the script failed: %v", r)
	}

	// Both mounts were compsfs mounts, and a work item read through them.
	got := strings.Fields(r.stdout)
	wantRE := regexp.MustCompile(`^(type=fuse\.compsfs name=\S.* state=(Succeeded|Failed|Running|Canceled|Commissioned|Created) ro=yes )(type=fuse\.compsfs name=\S.* state=\w+ )$`)
	if !wantRE.MatchString(strings.Join(got, " ") + " ") {
		t.Errorf("script output:\n%s", r.stdout)
	}
	// Each mount backgrounded itself and said where it logs: the first to
	// the default log file, the second to its log_file option.
	defaultLog := filepath.Join(c.home, "state", "compsfs", "compsfs.log")
	for _, log := range []string{defaultLog, fstabLog} {
		if !strings.Contains(r.stderr, "compsfs: logging to "+log+"\n") {
			t.Errorf("no 'logging to %s' in:\n%s", log, r.stderr)
		}
		if b, err := os.ReadFile(log); err != nil || !strings.Contains(string(b), "msg=mounted") || !strings.Contains(string(b), "mountpoint="+mnt) {
			t.Errorf("%s: %v\n%s", log, err, b)
		}
	}
}

// waitGone waits until the compsfs processes named in mount's output
// ("mounted on DIR (pid N)") have ended, so that none outlives the test.
func waitGone(t *testing.T, out string) {
	for _, m := range regexp.MustCompile(`\(pid (\d+)\)`).FindAllStringSubmatch(out, -1) {
		pid, _ := strconv.Atoi(m[1])
		fd, err := unix.PidfdOpen(pid, 0)
		if err != nil {
			continue // already gone
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		if n, _ := unix.Poll(fds, int((time.Minute).Milliseconds())); n == 0 {
			t.Errorf("compsfs pid %d still runs after its unmount", pid)
		}
		unix.Close(fd)
	}
}

func TestMountHelperFormArguments(t *testing.T) {
	c := newCLI(t)
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "f"), nil, 0o600)
	refused := "compsfs: " + full + " is not empty; mounting over it would hide what is in it: choose an empty folder, or use --allow-non-empty\n"
	// Each form reaches the mount point check: SERVER a URL, local, empty
	// or left out (mount.fuse3 drops an empty one), options anywhere.
	for _, args := range [][]string{
		{"https://comps.example.org", full, "-o", "rw,nodev,nosuid,_netdev"},
		{"local", full, "-o", "ro,cache_size=1GiB"},
		{"", full, "-o", "dev,suid"},
		{full, "-o", "dev,suid"},
		{"-o", "rw", "local", full},
		{"local", full},
	} {
		if r := c.run(args...); r.code != 1 || r.stderr != refused {
			t.Errorf("compsfs %q: %v", args, r)
		}
	}
}
