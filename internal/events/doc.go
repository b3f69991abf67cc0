// Package events delivers event notifications: the outbox rows written by
// the transactions that finish tasks, upload or delete media (store.Event)
// reach the user either by HTTP callback (PUSH) with retries, or through the
// reliable pull queue (PULL: PullEvents/ConfirmEvents, served by package
// vod over the store).
//
// Delivery is at least once: an event is marked delivered only after the
// receiver answered 2xx (PUSH) or confirmed its handle (PULL); a dispatcher
// that dies mid-delivery leaves a lease that expires, and the event is sent
// again.
package events
