package nodes

import (
	"sync"
	"time"
)

// kernelSizes remembers, for the text files whose content can change, the
// size the kernel was last told and until when it may go on using it (its
// attribute timeout). The kernel reads a file opened through its page cache
// no further than the size it holds, so an open whose snapshot has another
// size must make the kernel ask again first (text_file.go).
type kernelSizes struct {
	mu        sync.Mutex
	sizes     map[uint64]kernelSize
	nextSweep time.Time
}

// kernelSize is a size the kernel was told, and until when it holds it.
type kernelSize struct {
	size  int64
	until time.Time
}

// told records that the kernel was told size for inode ino, valid until
// until. Entries past their time are dropped now and then.
func (k *kernelSizes) told(ino uint64, size int64, now, until time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.sizes == nil {
		k.sizes = map[uint64]kernelSize{}
	}
	if !now.Before(k.nextSweep) {
		for i, s := range k.sizes {
			if !now.Before(s.until) {
				delete(k.sizes, i)
			}
		}
		k.nextSweep = until
	}
	k.sizes[ino] = kernelSize{size: size, until: until}
}

// forget drops what is known of ino: the kernel was told a size that does
// not change (final content), or it changed the size itself (a write).
func (k *kernelSizes) forget(ino uint64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.sizes, ino)
}

// holds reports what is known of the size the kernel holds for ino at now:
// known is false when nothing is (never told, or its time is over).
func (k *kernelSizes) holds(ino uint64, now time.Time) (size int64, known bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	s, ok := k.sizes[ino]
	if !ok || !now.Before(s.until) {
		return 0, false
	}
	return s.size, true
}
