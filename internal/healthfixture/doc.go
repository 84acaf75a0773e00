// Package healthfixture is the one definition of the data-health test
// dataset that every SQL store's health test loads: the scope, the request,
// good and faulty events, and the report each scenario must produce,
// written out by hand from the dataset. A store's test only says how it
// stores the events and what is genuinely its own (whether it can hold
// duplicate ids, its SQL dialect); the numbers are shared, so all stores
// must report the same ones.
//
// It imports pkg/events and the standard library only, never a store.
package healthfixture
