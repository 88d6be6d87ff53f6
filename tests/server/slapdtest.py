# SPDX-License-Identifier: GPL-3.0-or-later
"""A real OpenLDAP slapd for the LDAP store's tests.

Debian 12's slapd 2.5 on 127.0.0.1, with its own cn=config and mdb database
in a temporary folder, the otp overlay before ppolicy (so that a locked
account does not burn a code), the password policy and the TOTP parameters
of docs/deploying.md. Nothing is shared with a system slapd: this one is
started by hand and stopped by its PID.
"""

import ctypes
import os
import signal
import socket
import subprocess
import tempfile
import time

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
MODULES = "/usr/lib/ldap"
SCHEMA = "/etc/ldap/schema"

SUFFIX = "dc=example,dc=org"
ROOT_DN = f"cn=admin,{SUFFIX}"
SERVICE_DN = f"cn=vestibule,ou=services,{SUFFIX}"
PEOPLE_DN = f"ou=people,{SUFFIX}"
TOKENS_DN = f"ou=tokens,{SUFFIX}"
POLICY_DN = f"cn=default,ou=policies,{SUFFIX}"
TOTP_PARAMS_DN = f"cn=totp,ou=policies,{SUFFIX}"

# The directory refuses passwords shorter than this by itself, whatever the
# service checks first.
MIN_LENGTH = 12
# Above the service's own sign-in throttle (5 in 15 minutes), so that the
# service throttles first and the directory's lock-out is the backstop for
# every other LDAP client (docs/deploying.md).
MAX_FAILURE = 10
LOCKOUT_DURATION = 300
# The server's test clock runs ahead of slapd's (vsttest.Server.advance()
# moves only the service's clock): a wide window lets the directory accept
# the codes that the lifecycle test computes a few minutes "later".
# docs/deploying.md uses 3 in production.
TOTP_WINDOW = 20


def _die_with_parent():
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CONFIG_LDIF = """\
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: {dir}/slapd.pid
olcArgsFile: {dir}/slapd.args

dn: cn=module{{0}},cn=config
objectClass: olcModuleList
cn: module{{0}}
olcModulePath: {modules}
olcModuleLoad: back_mdb
olcModuleLoad: ppolicy
olcModuleLoad: otp

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file://{schema}/core.ldif
include: file://{schema}/cosine.ldif
include: file://{schema}/inetorgperson.ldif
include: file://{schema}/namedobject.ldif

dn: olcDatabase={{-1}}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {{-1}}frontend

dn: olcDatabase={{0}}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {{0}}config
olcAccess: {{0}}to * by * none

dn: olcDatabase={{1}}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {{1}}mdb
olcDbDirectory: {dir}/data
olcDbMaxSize: 104857600
olcSuffix: {suffix}
olcRootDN: {root_dn}
olcRootPW: {root_pw}
olcDbIndex: objectClass eq
olcDbIndex: uid eq
olcLimits: dn.exact="{service_dn}" size.prtotal=unlimited
olcAccess: {{0}}to attrs=userPassword by dn.exact="{service_dn}" write by anonymous auth by * none
olcAccess: {{1}}to dn.subtree="{tokens_dn}" by dn.exact="{service_dn}" write by * none
olcAccess: {{2}}to * by dn.exact="{service_dn}" write by self read by users read by * none

dn: olcOverlay={{0}}otp,olcDatabase={{1}}mdb,cn=config
objectClass: olcOverlayConfig
olcOverlay: {{0}}otp

dn: olcOverlay={{1}}ppolicy,olcDatabase={{1}}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcPPolicyConfig
olcOverlay: {{1}}ppolicy
olcPPolicyDefault: {policy_dn}
olcPPolicyHashCleartext: TRUE
olcPPolicyUseLockout: TRUE
"""

DATA_LDIF = """\
dn: {suffix}
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: ou=services,{suffix}
objectClass: organizationalUnit
ou: services

dn: {service_dn}
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: vestibule
userPassword: {service_pw}

dn: {people_dn}
objectClass: organizationalUnit
ou: people

dn: {tokens_dn}
objectClass: organizationalUnit
ou: tokens

dn: ou=policies,{suffix}
objectClass: organizationalUnit
ou: policies

dn: {policy_dn}
objectClass: namedObject
objectClass: pwdPolicy
cn: default
pwdAttribute: userPassword
pwdMinLength: {min_length}
pwdCheckQuality: 2
pwdInHistory: 5
pwdMaxAge: 15552000
pwdLockout: TRUE
pwdMaxFailure: {max_failure}
pwdLockoutDuration: {lockout_duration}
pwdFailureCountInterval: 900
pwdAllowUserChange: TRUE

dn: {totp_params_dn}
objectClass: namedObject
objectClass: oathTOTPParams
cn: totp
oathOTPLength: 6
oathHMACAlgorithm: 1.2.840.113549.2.7
oathTOTPTimeStepPeriod: 30
oathTOTPTimeStepWindow: {totp_window}
"""


class Slapd:
    """A slapd with the ppolicy and otp overlays, in its own folder."""

    def __init__(self):
        self.dir = tempfile.TemporaryDirectory(prefix="vst-slapd-test-")
        self.path = self.dir.name
        self.port = _free_port()
        self.uri = f"ldap://127.0.0.1:{self.port}/"
        self.root_pw = "root-" + os.urandom(12).hex()
        self.service_pw = "service-" + os.urandom(12).hex()
        self.service_pw_file = os.path.join(self.path, "service-password")
        self.process = None
        self.log_file = os.path.join(self.path, "slapd.log")

    def _write(self, name, text):
        path = os.path.join(self.path, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def start(self, timeout=10):
        values = dict(dir=self.path, modules=MODULES, schema=SCHEMA, suffix=SUFFIX,
                      root_dn=ROOT_DN, root_pw=self.root_pw, service_dn=SERVICE_DN,
                      service_pw=self.service_pw, people_dn=PEOPLE_DN, tokens_dn=TOKENS_DN,
                      policy_dn=POLICY_DN, totp_params_dn=TOTP_PARAMS_DN,
                      min_length=MIN_LENGTH, max_failure=MAX_FAILURE,
                      lockout_duration=LOCKOUT_DURATION, totp_window=TOTP_WINDOW)
        confdir = os.path.join(self.path, "slapd.d")
        os.mkdir(confdir)
        os.mkdir(os.path.join(self.path, "data"))
        fd = os.open(self.service_pw_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(self.service_pw + "\n")
        config = self._write("slapd.ldif", CONFIG_LDIF.format(**values))
        data = self._write("data.ldif", DATA_LDIF.format(**values))
        subprocess.run([SLAPADD, "-n", "0", "-F", confdir, "-l", config],
                       check=True, capture_output=True)
        subprocess.run([SLAPADD, "-n", "1", "-F", confdir, "-l", data],
                       check=True, capture_output=True)
        self.launch(timeout)

    def launch(self, timeout=10):
        """Runs slapd on the configuration and data that start() made."""
        confdir = os.path.join(self.path, "slapd.d")
        log = open(self.log_file, "ab")
        # -d keeps it in the foreground, so that its PID is the one we stop.
        self.process = subprocess.Popen([SLAPD, "-h", self.uri, "-F", confdir, "-d", "0"],
                                        stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                        preexec_fn=_die_with_parent)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"slapd exited with {self.process.returncode}:\n{self.log()}")
            if self.run("ldapwhoami", "-D", SERVICE_DN, "-w", self.service_pw).returncode == 0:
                return
            time.sleep(0.05)
        raise AssertionError("slapd did not answer in time")

    def stop(self):
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def restart(self, sig=signal.SIGTERM):
        """Stops slapd (gracefully, or with @sig) and runs it again on the
        same port and data, as an upgrade or a crash would; connections
        open to the old process are gone."""
        if sig != signal.SIGTERM and self.process is not None:
            self.process.send_signal(sig)
            self.process.wait(10)
            self.process = None
        self.stop()
        self.launch()

    def add(self, ldif):
        """Adds entries as the rootdn, as another tool would (ldapadd)."""
        r = self.root("ldapadd", input=ldif)
        assert r.returncode == 0, r
        return r

    def cleanup(self):
        self.stop()
        self.dir.cleanup()

    def log(self):
        with open(self.log_file, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def run(self, tool, *args, input=None):
        """Runs an ldap-utils @tool against this slapd, never a system one."""
        env = dict(os.environ, LDAPNOINIT="1")
        return subprocess.run([tool, "-x", "-H", self.uri, *args], input=input,
                              capture_output=True, text=True, env=env)

    def root(self, tool, *args, input=None):
        return self.run(tool, "-D", ROOT_DN, "-w", self.root_pw, *args, input=input)

    def user_dn(self, login):
        return f"uid={login},{PEOPLE_DN}"

    def whoami(self, login, password):
        return self.run("ldapwhoami", "-D", self.user_dn(login), "-w", password)

    def server_config(self):
        """The [store] group of vestibule-server's configuration."""
        return f"""
[store]
backend=ldap
uri={self.uri}
starttls=false
bind-dn={SERVICE_DN}
bind-password-file={self.service_pw_file}
base-dn={PEOPLE_DN}
tokens-dn={TOKENS_DN}
password-policy-dn={POLICY_DN}
totp-params-dn={TOTP_PARAMS_DN}
"""
