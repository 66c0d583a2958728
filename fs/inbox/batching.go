package inbox

import "time"

// setPreparing counts a Submit call that will queue an entry soon (+1), or
// that has queued it or given up (-1), and wakes the loop.
func (s *Submitter) setPreparing(d int) {
	s.mu.Lock()
	s.preparing += d
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// enqueue hands an entry to the loop.
func (s *Submitter) enqueue(e *Entry) {
	s.mu.Lock()
	s.queue = append(s.queue, e)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// loop takes batches off the queue until Close.
func (s *Submitter) loop() {
	defer s.wg.Done()
	for {
		batch := s.collect()
		if batch == nil {
			return
		}
		s.process(batch)
	}
}

// countSubmit counts a Submit call in (+1) or out (-1) and keeps the peak
// of calls under way at once during the last second.
func (s *Submitter) countSubmit(d int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inSubmit += d
	if s.inSubmit >= s.peak || time.Since(s.peakAt) > time.Second {
		s.peak, s.peakAt = s.inSubmit, time.Now()
	}
}

// collect waits for a first entry, then up to Options.Window while other
// Submit calls are about to queue theirs or the queue holds fewer entries
// than the most submissions lately under way at once (writers blocked in
// close come back together once their items exist), and takes the whole
// queue. A lone writer waits for nothing.
func (s *Submitter) collect() []*Entry {
	for {
		s.mu.Lock()
		n := len(s.queue)
		s.mu.Unlock()
		if n > 0 {
			break
		}
		select {
		case <-s.ctx.Done():
			return nil
		case <-s.wake:
		}
	}
	deadline := time.NewTimer(s.o.Window)
	defer deadline.Stop()
wait:
	for {
		s.mu.Lock()
		if time.Since(s.peakAt) > time.Second {
			s.peak, s.peakAt = s.inSubmit, time.Now()
		}
		n, want, preparing := len(s.queue), s.peak, s.preparing
		s.mu.Unlock()
		if (n >= max(want, 1) && preparing == 0) || n >= 100 {
			break
		}
		select {
		case <-s.ctx.Done():
			return nil
		case <-s.wake:
		case <-deadline.C:
			break wait
		}
	}
	s.mu.Lock()
	batch := s.queue
	s.queue = nil
	s.mu.Unlock()
	return batch
}
