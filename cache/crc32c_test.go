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

func TestMarkHoldsEachChunksCRCWhetherHashedFromBuffersOrReadBack(t *testing.T) {
	// The check combines the CRCs the downloads computed for the buffers
	// it takes, and computes them for the bytes it reads back: either
	// way, the mark holds the CRC-32C of each chunk's bytes.
	// Chunks of four buffers: a chunk's CRC combines several.
	const cs, size = 4 * bufSize, 3*4*bufSize + 777
	data := content(0, size)
	k := Key{MD5: md5Of(data), Size: size}
	for _, tc := range []struct {
		name      string
		maxMemory int64 // 1: no memory to keep buffers for the check
		readBack  bool
	}{{"from buffers", 0, false}, {"read back", 1, true}} {
		t.Run(tc.name, func(t *testing.T) {
			c := openTest(t, ContentOptions{MaxBytes: 1 << 30, ChunkSize: cs, MaxMemory: tc.maxMemory})
			src := newSource(size)
			for off := int64(0); off < size; off += 100 << 10 {
				readOK(t, c, k, src.Source, off, 100<<10)
			}
			c.wg.Wait()
			if s := c.Stats(); (s.ReadBack == size) != tc.readBack || (!tc.readBack && s.ReadBack > 0) {
				t.Fatalf("Stats = %+v, want all bytes read back: %v, or none", s, tc.readBack)
			}
			name, _, _ := k.dirName()
			crcs, ok := readMark(c.keyDir(name), cs, (size+cs-1)/cs)
			if !ok {
				t.Fatal("no mark")
			}
			for i, crc := range crcs {
				chunk := data[int64(i)*cs : min(int64(i+1)*cs, size)]
				if want := crc32.Checksum(chunk, castagnoli); crc != want {
					t.Errorf("chunk %d: CRC %08x in the mark, want %08x", i, crc, want)
				}
			}
		})
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
