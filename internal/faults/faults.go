// Package faults marks the steps of casefile's write paths where a crash
// test may kill the process. Point is an empty function in every normal
// build, so release binaries carry no fault injection at all; only a build
// with the faultinject tag (make test) turns each point into a possible
// SIGKILL, chosen with the CASEFILE_FAULT environment variable.
//
// Step names are "package.step", for example "store.ref" or
// "cli.evidence-copied". The package imports only the standard library so
// any package may call it.
package faults

// EnvVar names the environment variable a faultinject build reads at start:
// CASEFILE_FAULT=store.ref kills the process the first time it reaches the
// point "store.ref".
const EnvVar = "CASEFILE_FAULT"
