// Package custody produces the signatures that make casefile's history a
// chain of custody. It reads the user's git configuration the way
// `git commit -S` does (LoadGitConfig) and turns it into a Signer
// (NewSigner) whose output stock `git verify-commit` accepts: SSH
// signatures in git's sshsig format made in-process, through ssh-agent or
// by ssh-keygen, and OpenPGP signatures made in-process from an armored
// key or by the gpg program.
//
// The package never prints and never reads the environment, the working
// directory or the terminal by itself: the caller passes an env function,
// a passphrase prompt, an exec hook and (for OpenPGP) a clock in Options.
package custody
