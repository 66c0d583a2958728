package cache

import (
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

func TestCRC32CCombineMatchesTheCRCOfBoth(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	cuts := []int{0, 1, 7, 64, 1000, 4096, 65535, 1 << 18, 1<<20 - 1, 1 << 20}
	for range 20 {
		cuts = append(cuts, rng.IntN(len(data)+1))
	}
	for _, at := range cuts {
		for _, end := range []int{at, min(at+1, len(data)), min(at+262144, len(data)), len(data)} {
			a, b := data[:at], data[at:end]
			want := crc32.Checksum(data[:end], castagnoli)
			got := crc32cCombine(crc32.Checksum(a, castagnoli), crc32.Checksum(b, castagnoli), int64(len(b)))
			if got != want {
				t.Fatalf("combine of %d and %d bytes: %08x, want %08x", len(a), len(b), got, want)
			}
		}
	}
}

func TestAPendingBufferGivesItsCRCOnlyWithAllItsBytes(t *testing.T) {
	data := content(100, 1000)
	p := pendingBuf{off: 100, data: data, crc: crc32.Checksum(data, castagnoli)}
	if whole := p.piece(100); !whole.hasCRC || whole.crc != p.crc || len(whole.data) != 1000 {
		t.Errorf("piece from its start: %d bytes, CRC %08x (%v)", len(whole.data), whole.crc, whole.hasCRC)
	}
	if part := p.piece(150); part.hasCRC || len(part.data) != 950 || part.data[0] != byteAt(150) {
		t.Errorf("piece from byte 150: %d bytes, with a CRC: %v", len(part.data), part.hasCRC)
	}
}
