package cache

import (
	"context"
	"testing"
	"time"
)

func TestTheCheckWantsFewerReadAheadDownloadsWhileBusy(t *testing.T) {
	ks := &keyState{raWanted: maxReadAhead}
	ks.hashedWithoutWaiting(calmAfter - 1)
	if ks.raWanted != maxReadAhead {
		t.Fatalf("wants %d read-ahead downloads before hashing %d bytes in a row, want %d", ks.raWanted, calmAfter, maxReadAhead)
	}
	ks.hashedWithoutWaiting(1)
	if ks.raWanted != maxReadAhead-1 {
		t.Fatalf("wants %d after %d bytes in a row, want %d", ks.raWanted, calmAfter, maxReadAhead-1)
	}
	ks.hashedWithoutWaiting(100 * calmAfter)
	if ks.raWanted != minCheckedReadAhead {
		t.Fatalf("wants %d after a long busy run, want %d", ks.raWanted, minCheckedReadAhead)
	}
	ks.checkWaited()
	ks.hashedWithoutWaiting(calmAfter - 1)
	if ks.raWanted != maxReadAhead {
		t.Fatalf("wants %d after waiting for bytes, want %d", ks.raWanted, maxReadAhead)
	}
}

func TestReadAheadStopsAtWhatTheCheckWants(t *testing.T) {
	// A file with an md5 whose check wants two read-ahead downloads gets
	// two; one without (nothing to check) gets all the slots.
	const cs, size = 1000, 20000
	for _, tc := range []struct {
		name string
		md5  string
		want int
	}{{"checked", md5Of(content(0, size)), minCheckedReadAhead}, {"unchecked", "", maxReadAhead}} {
		t.Run(tc.name, func(t *testing.T) {
			c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: cs})
			src := newSource(size)
			src.gate = make(chan struct{}) // downloads hang
			defer close(src.gate)
			name, _, err := Key{ID: "f", MD5: tc.md5, Size: size}.dirName()
			if err != nil {
				t.Fatal(err)
			}
			c.mu.Lock()
			ks := c.keyState(name, tc.md5, size)
			ks.hashedWithoutWaiting(maxReadAhead * calmAfter) // busy: wants the fewest
			_, err = c.fetch(context.Background(), ks, src.Source, 0, size, true)
			running := ks.raRunning
			c.mu.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			for start := time.Now(); len(src.Calls()) < tc.want && time.Since(start) < 5*time.Second; {
				time.Sleep(time.Millisecond)
			}
			time.Sleep(20 * time.Millisecond) // time for a download too many to show up
			if n := len(src.Calls()); n != tc.want || running != tc.want {
				t.Fatalf("%d read-ahead downloads started (%d counted), want %d", n, running, tc.want)
			}
		})
	}
}
