"""A throw-away self-signed certificate for the test servers, and client contexts for it."""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class SelfSignedCert:
    """A PEM certificate and key on disk, valid for ``localhost`` and ``127.0.0.1``."""

    cert_path: Path
    key_path: Path
    #: SHA-256 of the DER certificate: lowercase hex, no colons (what a pinning UI shows).
    sha256: str

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this certificate only (hostname checked)."""
        return ssl.create_default_context(cafile=str(self.cert_path))

    def server_context(self) -> ssl.SSLContext:
        """A server context presenting this certificate."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(self.cert_path), str(self.key_path))
        return context


def make_self_signed_cert(directory: Path, name: str = "server") -> SelfSignedCert:
    """Write ``NAME.crt`` and ``NAME.key`` into *directory* (ECDSA P-256: made in ~1 ms).

    The subjectAltName is ``DNS:localhost, IP:127.0.0.1``, so a client that trusts the
    file verifies the hostname as it would for a real server.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / f"{name}.crt"
    key_path = directory / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.touch(mode=0o600)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    sha256 = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
    return SelfSignedCert(cert_path=cert_path, key_path=key_path, sha256=sha256)
