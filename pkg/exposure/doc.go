// Package exposure decides, from access-log records and a recording index,
// which recordings were delivered, how much of each, to whom, and which
// persons were exposed.
package exposure
