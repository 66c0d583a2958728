package nodes

import (
	"github.com/compsfs/compsfs/client"
)

// inboxObserver hears what the inbox's submitter changed on the server. The
// catalog forgets it at once (before the writer's close returns) and the
// kernel is told to drop its entries, so that workitems/, by-state/ and the
// reverse relation folders show the new work item right away.
type inboxObserver struct{ m *Mount }

// WorkItemCreated shows a new work item in the listings.
func (o inboxObserver) WorkItemCreated(id string) {
	o.m.cat.WorkItemCreated(id)
	o.m.forgetWorkItem(id)
}

// RelationAdded shows a new relation at both of its ends.
func (o inboxObserver) RelationAdded(id string, relType client.RelationType, kind client.Kind, target string) {
	o.m.cat.RelationAdded(id, relType, kind, target)
	o.m.forgetRelation(id, relType, kind, target)
}

// StateChanged shows a work item's new state.
func (o inboxObserver) StateChanged(id string) {
	o.m.cat.StateChanged(id)
	o.m.forgetWorkItem(id)
}
