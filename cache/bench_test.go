package cache

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"
)

// memSource serves ranges of data from memory after a fixed latency per
// request, like a ranged GET to a server that far away.
func memSource(data []byte, latency time.Duration) Source {
	return func(ctx context.Context, off, length int64) (io.ReadCloser, error) {
		if latency > 0 {
			select {
			case <-time.After(latency):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		end := min(off+length, int64(len(data)))
		return io.NopCloser(bytes.NewReader(data[off:end])), nil
	}
}

// BenchmarkSequentialRead reads a 256 MiB file from start to end in the
// kernel's 128 KiB reads, as cat through the mount does: cold (every chunk
// downloaded, with and without a per-request latency) and warm (all on disk).
func BenchmarkSequentialRead(b *testing.B) {
	const size = 256 << 20
	data := make([]byte, size)
	rand.NewChaCha8([32]byte{1}).Read(data)
	sum := md5.Sum(data)
	k := Key{MD5: hex.EncodeToString(sum[:]), Size: size}
	read := func(b *testing.B, c *Content, src Source) {
		p := make([]byte, 128<<10)
		for off := int64(0); off < size; off += int64(len(p)) {
			n, err := c.ReadAt(context.Background(), k, src, p, off)
			if err != nil && err != io.EOF {
				b.Fatal(err)
			}
			if !bytes.Equal(p[:n], data[off:off+int64(n)]) {
				b.Fatalf("wrong bytes at %d", off)
			}
		}
	}
	open := func(b *testing.B, dir string) *Content {
		c, err := OpenContent(ContentOptions{Dir: dir, MaxBytes: 1 << 30, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	for _, latency := range []time.Duration{0, 20 * time.Millisecond} {
		b.Run(fmt.Sprintf("cold/latency=%v", latency), func(b *testing.B) {
			src := memSource(data, latency)
			b.SetBytes(size)
			for b.Loop() {
				b.StopTimer()
				c := open(b, b.TempDir())
				b.StartTimer()
				read(b, c, src)
				b.StopTimer()
				b.ReportMetric(float64(c.Stats().ReadBack)/size, "readback/byte")
				c.Close()
				b.StartTimer()
			}
		})
	}
	b.Run("warm", func(b *testing.B) {
		c := open(b, b.TempDir())
		defer c.Close()
		read(b, c, memSource(data, 0))
		b.SetBytes(size)
		for b.Loop() {
			read(b, c, nil)
		}
	})
}
