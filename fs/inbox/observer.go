package inbox

import "github.com/compsfs/compsfs/client"

// Observer is told what the submitter changed on the server, so that the
// mount's metadata shows it at once: a work item made, a relation added, a
// state changed. Each call comes before the submission settles (before the
// writer's close or touch returns), from the submitter's goroutines, with no
// inbox lock held.
type Observer interface {
	WorkItemCreated(id string)
	RelationAdded(id string, relType client.RelationType, kind client.Kind, target string)
	StateChanged(id string)
}

// Observe sets the observer told about the submitter's changes; call it
// before Start.
func (in *Inbox) Observe(o Observer) { in.sub.observer.Store(&o) }

// observe calls f with the observer, if there is one.
func (s *Submitter) observe(f func(o Observer)) {
	if p := s.observer.Load(); p != nil {
		f(*p)
	}
}
