"""Real servers for integration tests: Dovecot (IMAP) and aiosmtpd (SMTP) on 127.0.0.1.

Plain helper classes with no pytest in them; the fixtures live in
``tests/integration/conftest.py``. Import them as ``from servers.dovecot import Dovecot``
(``tests/`` is on ``sys.path``).
"""
