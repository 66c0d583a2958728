package localcomps

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httputil"
	"net/textproto"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// procStatusKiB reads a "<field>: <n> kB" line of /proc/self/status.
func procStatusKiB(t *testing.T, field string) int64 {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatalf("read /proc/self/status: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("parse %s: %v", line, err)
			}
			return n
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// jsonFlood is an endless, valid-looking JSON body generated on the fly:
// {"Suites": [{"Name": "s"}, {"Name": "s"}, ... up to size bytes. Every
// 16 MiB it samples the process's resident size into peakKiB.
type jsonFlood struct {
	t       *testing.T
	size    int64
	sent    int64
	peakKiB atomic.Int64
}

const floodHead = `{"Suites": [`
const floodItem = `{"Name": "flood"}, `

func (f *jsonFlood) Read(p []byte) (int, error) {
	if f.sent >= f.size {
		return 0, io.EOF
	}
	if left := f.size - f.sent; int64(len(p)) > left {
		p = p[:left]
	}
	n := 0
	for n < len(p) {
		pos := f.sent + int64(n)
		var src string
		if pos < int64(len(floodHead)) {
			src = floodHead[pos:]
		} else {
			src = floodItem[(pos-int64(len(floodHead)))%int64(len(floodItem)):]
		}
		n += copy(p[n:], src)
	}
	before := f.sent
	f.sent += int64(n)
	if before/(16<<20) != f.sent/(16<<20) {
		f.peakKiB.Store(max(f.peakKiB.Load(), procStatusKiB(f.t, "VmRSS")))
	}
	return n, nil
}

// TestHugeJSONBodyRefusedInBoundedMemory posts a 2 GB JSON body, chunked
// (no Content-Length: the server cannot refuse it before reading) and then
// announced, to a JSON route. Each is answered 413 while the process (the
// server runs in it) stays within 64 MiB of its resident size at the start.
func TestHugeJSONBodyRefusedInBoundedMemory(t *testing.T) {
	e := newEnv(t, nil)
	for _, chunked := range []bool{true, false} {
		runtime.GC()
		debug.FreeOSMemory()
		// Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+).
		hwm := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
		start := procStatusKiB(t, "VmRSS")
		flood := &jsonFlood{t: t, size: 2 << 30}
		status, sent := postFlood(t, e, flood, chunked)
		peak := max(flood.peakKiB.Load(), procStatusKiB(t, "VmRSS"))
		if hwm {
			peak = max(peak, procStatusKiB(t, "VmHWM"))
		}
		t.Logf("chunked=%v: status %d after %d MiB sent; RSS %d MiB at start, peak %d MiB (+%d MiB; VmHWM reset: %v)",
			chunked, status, sent>>20, start>>10, peak>>10, (peak-start)>>10, hwm)
		if status != http.StatusRequestEntityTooLarge {
			t.Fatalf("chunked=%v: status %d, want 413", chunked, status)
		}
		if peak-start > 64<<10 {
			t.Fatalf("chunked=%v: resident size grew by %d MiB, more than 64 MiB", chunked, (peak-start)>>10)
		}
		if sent >= flood.size {
			t.Fatalf("chunked=%v: the whole body was read before the refusal", chunked)
		}
	}
	var n int
	if err := e.s.db.QueryRow(`SELECT COUNT(*) FROM entities`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d entities stored (%v)", n, err)
	}
}

// postFlood sends POST /api/Suites with the flood as its body over a raw
// connection, stops sending once the answer has come (or the server has
// closed the connection), and returns the answer's status and the bytes
// sent.
func postFlood(t *testing.T, e *env, flood *jsonFlood, chunked bool) (int, int64) {
	t.Helper()
	conn, err := net.Dial("tcp", e.ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var head bytes.Buffer
	fmt.Fprintf(&head, "POST /api/Suites HTTP/1.1\r\nHost: %s\r\nX-COMPS-Token: %s\r\nAccept: application/json\r\nContent-Type: application/json\r\n",
		e.ts.Listener.Addr(), e.tok)
	if chunked {
		head.WriteString("Transfer-Encoding: chunked\r\n\r\n")
	} else {
		fmt.Fprintf(&head, "Content-Length: %d\r\n\r\n", flood.size)
	}
	if _, err := conn.Write(head.Bytes()); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var w io.Writer = conn
		if chunked {
			cw := httputil.NewChunkedWriter(conn)
			defer cw.Close()
			w = cw
		}
		_, _ = io.CopyBuffer(w, flood, make([]byte, 64<<10)) // ends when the connection is closed
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read answer: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	conn.Close()
	<-done
	return resp.StatusCode, flood.sent
}

// repeatReader gives size bytes of a repeated block.
type repeatReader struct {
	block []byte
	size  int64
	off   int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	n := copy(p, r.block[r.off%int64(len(r.block)):])
	n = int(min(int64(n), r.size-r.off))
	r.off += int64(n)
	return n, nil
}

// TestLargeMultipartPartStreamsToDisk saves an asset collection whose one
// file part is 128 MiB, streamed by the test: the server spools it to disk
// and stays within 64 MiB of its resident size at the start.
func TestLargeMultipartPartStreamsToDisk(t *testing.T) {
	e := newEnv(t, nil)
	block := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	const size = 128 << 20
	h := md5.New()
	if _, err := io.Copy(h, &repeatReader{block: block, size: size}); err != nil {
		t.Fatal(err)
	}
	sum := md5ToUUID(hex.EncodeToString(h.Sum(nil)))
	entity := fmt.Sprintf(`[{"Tags": {}, "Assets": [{"FileName": "big.bin", "RelativePath": "", "MD5Checksum": "%s"}]}]`, sum)

	runtime.GC()
	debug.FreeOSMemory()
	hwm := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	start := procStatusKiB(t, "VmRSS")
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		hdr := textproto.MIMEHeader{}
		hdr.Set("Content-Disposition", `form-data; name="not_a_file"; filename="AssetCollections"`)
		hdr.Set("Content-Type", "application/json")
		w, err := mw.CreatePart(hdr)
		if err == nil {
			_, err = io.WriteString(w, entity)
		}
		if err == nil {
			hdr = textproto.MIMEHeader{}
			hdr.Set("Content-Disposition", `form-data; name="`+sum+`"; filename="big.bin"`)
			hdr.Set("Content-Type", "application/octet-stream")
			w, err = mw.CreatePart(hdr)
		}
		if err == nil {
			_, err = io.CopyBuffer(w, &repeatReader{block: block, size: size}, make([]byte, 64<<10))
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	resp, data := e.req("POST", "/api/AssetCollections", pr, map[string]string{"Content-Type": mw.FormDataContentType()})
	peak := procStatusKiB(t, "VmRSS")
	if hwm {
		peak = max(peak, procStatusKiB(t, "VmHWM"))
	}
	t.Logf("128 MiB part: status %d; RSS %d MiB at start, peak %d MiB (+%d MiB; VmHWM reset: %v)",
		resp.StatusCode, start>>10, peak>>10, (peak-start)>>10, hwm)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("save: %d %s", resp.StatusCode, data)
	}
	if peak-start > 64<<10 {
		t.Fatalf("resident size grew by %d MiB, more than 64 MiB", (peak-start)>>10)
	}
	if n, err := e.s.blobs.size(strings.ReplaceAll(sum, "-", "")); err != nil || n != size {
		t.Fatalf("stored blob: %d bytes, %v", n, err)
	}
}
