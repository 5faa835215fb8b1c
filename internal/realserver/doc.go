// Package realserver is an end-to-end harness that proves the analyzer's
// verdicts against real web servers: nginx, Apache httpd, lighttpd, Caddy,
// and HAProxy in front of Apache.
//
// # What it does
//
// A test builds a small tree of recordings (real WAV and MP3 bytes, names
// holding generated phone numbers) and the matching recording index CSV
// (subjects with generated, Luhn-valid, fictitious personnummer), starts a
// real server on 127.0.0.1 with directory listing and a forwarded-address
// setup, and runs scripted actors against it: full downloads, range
// requests with and without holes, an aborted download, HEAD, a conditional
// GET answered 304, directory listings, encoded and dot-segment request
// targets, 404 probes. Every actor sends its own X-Forwarded-For address from
// a documentation range. What each actor received is recorded on the client
// side as the Truth, from which the expected exposure level of every
// recording, actor and subject follows. The analyzer's output is then
// compared with that truth.
//
//	tree, err := realserver.BuildTree(docRoot, time.Now())
//	f := realserver.Formats(realserver.Nginx)
//	srv, err := realserver.Start(ctx, realserver.Config{Kind: realserver.Nginx, Dir: workDir,
//		DocRoot: docRoot, Formats: []realserver.LogFormat{f[realserver.FormatDefault]}})
//	defer srv.Kill()
//	sc := &realserver.Scenario{Server: srv, Tree: tree, Rotate: srv.Rotate}
//	truth, err := sc.Run(ctx)
//	err = srv.Stop() // every line written, rotated logs gzipped
//	err = tree.WriteIndex(indexPath)
//	level := truth.RecordingLevel(realserver.ActorFull, tree.Rec("full").Path)
//
// # Running the suite
//
//	go test ./internal/realserver
//
// needs nginx, apache2, lighttpd, caddy, haproxy and curl (Debian
// packages); without them the server tests skip, unless CI is set, when
// they fail. TestRealServers plays the main scenario on nginx, Apache and
// lighttpd; TestRules plays the rules that need a particular server:
// Apache's AcceptPathInfo and ?P= filter, Caddy's paged listings, HAProxy's
// captured Range and Content-Range headers, 416 answers to curl. The suite builds
// cmd/forensics once; REALSERVER_FORENSICS=/path/to/forensics uses a
// prebuilt binary instead, and REALSERVER_KEEP=DIR copies every run's logs
// and index to DIR for reading by hand.
//
// # Safety
//
// Servers listen on 127.0.0.1 only, on ports chosen free at run time, with
// configuration, pid and logs under a caller-given directory; Stop kills the
// server's whole process group. Clients only ever dial the server's
// loopback address. Phone numbers come from the range the Swedish regulator
// reserves for fiction and personnummer use the birth numbers 980-999 that
// the Swedish Tax Agency reserves for test persons.
//
// # Concurrency
//
// A Server, Tree and Truth are each for one goroutine; separate servers may
// run in parallel.
package realserver
