package custody

import (
	"bytes"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"

	"golang.org/x/crypto/ssh"
)

// sshsig constants from OpenSSH's PROTOCOL.sshsig. Git always signs commits
// in the "git" namespace with SHA-512 message hashing.
const (
	sshsigMagic     = "SSHSIG"
	sshsigVersion   = 1
	sshsigNamespace = "git"
	sshsigHash      = "sha512"
	sshsigBegin     = "-----BEGIN SSH SIGNATURE-----"
	sshsigEnd       = "-----END SSH SIGNATURE-----"
	// sshsigLineLen is the base64 line length ssh-keygen uses; matching it
	// keeps our output byte-identical to `ssh-keygen -Y sign`.
	sshsigLineLen = 70
)

// sshsigSignedData returns the blob an SSH key actually signs: the magic
// preamble, namespace, reserved field, hash algorithm and H(message).
func sshsigSignedData(message io.Reader) ([]byte, error) {
	h := sha512.New()
	if _, err := io.Copy(h, message); err != nil {
		return nil, fmt.Errorf("hashing payload: %w", err)
	}
	var b bytes.Buffer
	b.WriteString(sshsigMagic)
	writeSSHString(&b, []byte(sshsigNamespace))
	writeSSHString(&b, nil) // reserved
	writeSSHString(&b, []byte(sshsigHash))
	writeSSHString(&b, h.Sum(nil))
	return b.Bytes(), nil
}

// sshsigArmor wraps a signature made over sshsigSignedData in the armored
// container git stores in the gpgsig header.
func sshsigArmor(pub ssh.PublicKey, sig *ssh.Signature) []byte {
	var blob bytes.Buffer
	blob.WriteString(sshsigMagic)
	var v [4]byte
	binary.BigEndian.PutUint32(v[:], sshsigVersion)
	blob.Write(v[:])
	writeSSHString(&blob, pub.Marshal())
	writeSSHString(&blob, []byte(sshsigNamespace))
	writeSSHString(&blob, nil)
	writeSSHString(&blob, []byte(sshsigHash))
	writeSSHString(&blob, ssh.Marshal(sig))

	enc := base64.StdEncoding.EncodeToString(blob.Bytes())
	var out bytes.Buffer
	out.WriteString(sshsigBegin + "\n")
	for len(enc) > sshsigLineLen {
		out.WriteString(enc[:sshsigLineLen] + "\n")
		enc = enc[sshsigLineLen:]
	}
	out.WriteString(enc + "\n")
	out.WriteString(sshsigEnd + "\n")
	return out.Bytes()
}

func writeSSHString(b *bytes.Buffer, s []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(s)))
	b.Write(n[:])
	b.Write(s)
}
