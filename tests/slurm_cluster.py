"""A real one-node SLURM cluster on localhost, for tests of the SLURM profile.

Starts Debian's ``munged``, ``slurmctld`` and ``slurmd`` as root with every file (munge key and socket,
slurm.conf, state, spool, logs, pid files) in one temporary directory, on free TCP ports, so it touches
nothing under /etc and does not clash with a system SLURM or munge. Client tools (sbatch, squeue, scancel,
sinfo, srun inside jobs) reach it through ``SLURM_CONF``; use :attr:`SlurmCluster.env` for subprocesses.

No cgroups (``proctrack/linuxproc``, ``task/none``). Two variants:

- ``SlurmCluster()``: no accounting database (``accounting_storage/none``), as on small/test clusters: ``sacct``
  is installed but answers "Slurm accounting storage is disabled", so Snakemake's SLURM executor must poll with
  ``--slurm-status-command squeue``.
- ``SlurmCluster(accounting=True)``: as most production sites run it, ``slurmdbd`` backed by a real MariaDB
  (``mariadbd`` with its data directory in the temporary directory, TCP on 127.0.0.1 only), the cluster,
  the accounts :attr:`SlurmCluster.accounts` and root's associations registered with ``sacctmgr``,
  ``AccountingStorageEnforce=associations`` (a job with an unknown account is refused), and partitions
  ``debug`` (default) and ``short``. ``sacct`` works; it is the executor plugin's default status command.

``MinJobAge`` keeps finished jobs visible to ``squeue --states=all`` for 5 minutes, and ``jobcomp/filetxt``
writes one line per finished job (id, name, state, start, end) to :attr:`SlurmCluster.jobcomp_log`, a record
that outlives ``MinJobAge``. All ports are free ports bound to 127.0.0.1.

    with SlurmCluster() as cluster:          # raises SlurmUnavailable (with the reason) if it cannot start
        subprocess.run(["sbatch", "--wrap", "true"], env=cluster.env)

Stand-alone: ``python tests/slurm_cluster.py [--accounting]`` starts a cluster, prints its SLURM_CONF and waits
(Ctrl-C stops).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DAEMONS = {"munged": "munge", "slurmctld": "slurmctld", "slurmd": "slurmd"}
CLIENTS = {
    "sbatch": "slurm-client",
    "squeue": "slurm-client",
    "scancel": "slurm-client",
    "sinfo": "slurm-client",
    "scontrol": "slurm-client",
    "srun": "slurm-client",
    "sacct": "slurm-client",
}
# the accounting variant in addition
ACCOUNTING_TOOLS = {
    "slurmdbd": "slurmdbd",
    "sacctmgr": "slurm-client",
    "mariadbd": "mariadb-server",
    "mariadb-install-db": "mariadb-server",
    "mariadb": "mariadb-client",
}


class SlurmUnavailable(RuntimeError):
    """The cluster cannot run here (not root, packages missing, daemons did not come up)."""


class SlurmPrerequisitesMissing(SlurmUnavailable):
    """Not root, or the Debian packages are not installed (the cluster was not even tried)."""


@dataclass
class SlurmJob:
    jobid: str
    name: str
    state: str
    comment: str

    @property
    def rule(self) -> str:
        """Snakemake rule of the job: the plugin sets the comment to ``rule_<name>[_wildcards_<w>]``."""
        m = re.match(r"rule_(.+?)(?:_wildcards_.*)?$", self.comment)
        return m.group(1) if m else ""


def _die_with_parent() -> None:
    """preexec_fn: the daemon gets SIGTERM when the process that started it dies (Linux prctl PDEATHSIG),
    so a killed test run does not leave a cluster behind."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1
    except Exception:  # noqa: BLE001 - best effort
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _mem_total_mb() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) // 1024
    raise SlurmUnavailable("cannot read MemTotal from /proc/meminfo")


def tail_text(text: str, lines: int = 25) -> str:
    return "\n".join(text.splitlines()[-lines:])


def _tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return f"  ({path.name}: no log written)"
    return "\n".join(f"  {path.name}: {line}" for line in text[-lines:]) or f"  ({path.name}: empty)"


class _InClusterDir:
    """An attribute of SlurmCluster: a path below its directory (``cluster.dir / relative``)."""

    def __init__(self, relative: str) -> None:
        self.relative = relative

    def __get__(self, cluster: SlurmCluster, owner: type | None = None) -> Path:
        return cluster.dir / self.relative


class SlurmCluster:
    """One-node SLURM cluster (partition ``debug``) in a temporary directory; a context manager."""

    def __init__(
        self,
        cpus: int = 2,
        partition: str = "debug",
        startup_timeout: float = 60.0,
        base_dir: str | os.PathLike | None = None,
        keep: bool = False,
        accounting: bool = False,
        accounts: tuple[str, ...] = ("lab123",),
        extra_partitions: tuple[str, ...] | None = None,
    ):
        self.cpus = cpus
        self.partition = partition
        self.accounting = accounting
        self.accounts = accounts if accounting else ()
        # non-default partitions on the same node (default: "short" with accounting, none without)
        self.extra_partitions = extra_partitions if extra_partitions is not None else (("short",) if accounting else ())
        self.cluster_name = "hshtest"
        self.startup_timeout = startup_timeout
        self.node = socket.gethostname().split(".")[0]
        self._base_dir = base_dir
        self.keep = keep
        self.dir: Path | None = None
        self._procs: dict[str, subprocess.Popen] = {}
        self._logs: dict[str, Path] = {}
        self.env: dict[str, str] = {}

    # ---- paths -----------------------------------------------------------------------------------
    conf = _InClusterDir("etc/slurm.conf")
    ctld_log = _InClusterDir("log/slurmctld.log")
    slurmd_log = _InClusterDir("log/slurmd.log")
    jobcomp_log = _InClusterDir("log/jobcomp.log")
    # slurmdbd.conf, next to slurm.conf (slurmdbd and sacctmgr find it through SLURM_CONF)
    dbd_conf = _InClusterDir("etc/slurmdbd.conf")
    dbd_log = _InClusterDir("log/slurmdbd.log")
    mysql_log = _InClusterDir("log/mariadbd.err")

    @property
    def partitions(self) -> tuple[str, ...]:
        return (self.partition, *self.extra_partitions)

    # ---- checks ----------------------------------------------------------------------------------
    @staticmethod
    def check_prerequisites(accounting: bool = False) -> None:
        """Raise SlurmPrerequisitesMissing unless we are root and the Debian binaries are installed."""
        if os.geteuid() != 0:
            raise SlurmPrerequisitesMissing(
                "the one-node SLURM test cluster needs root (slurmd launches jobs as "
                "their owner and runs as SlurmUser=root here)"
            )
        missing = {}
        tools = {**DAEMONS, **CLIENTS, **(ACCOUNTING_TOOLS if accounting else {})}
        for tool, pkg in tools.items():
            if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
                missing[tool] = pkg
        if missing:
            pkgs = " ".join(sorted(set(missing.values())))
            raise SlurmPrerequisitesMissing(
                f"SLURM/munge{'/MariaDB' if accounting else ''} binaries not found: "
                f"{', '.join(sorted(missing))} (apt-get install {pkgs})"
            )

    @staticmethod
    def _bin(name: str) -> str:
        return shutil.which(name) or f"/usr/sbin/{name}"

    # ---- lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> SlurmCluster:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> SlurmCluster:
        self.check_prerequisites(self.accounting)
        prefix = "slurm-acct-cluster-" if self.accounting else "slurm-cluster-"
        self.dir = Path(tempfile.mkdtemp(prefix=prefix, dir=self._base_dir))
        os.chmod(self.dir, 0o700)
        for sub in ("etc", "munge", "state", "spool", "log", "run", "bin", "mysql"):
            (self.dir / sub).mkdir(mode=0o700)
        try:
            self._write_munge_key()
            self._write_conf()
            self._write_srun_shim()
            self.env = {
                **os.environ,
                "SLURM_CONF": str(self.conf),
                "PATH": f"{self.dir / 'bin'}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
            }
            # make sure nothing from an enclosing job leaks into the clients
            for key in [k for k in self.env if k.startswith(("SLURM_JOB", "SLURM_STEP", "SBATCH_", "SQUEUE_"))]:
                del self.env[key]
            self._start_munged()
            if self.accounting:
                self._start_mariadb()
                self._start_slurmdbd()
                self._register_accounts()
            self._spawn("slurmctld", [self._bin("slurmctld"), "-D", "-f", str(self.conf)])
            self._spawn("slurmd", [self._bin("slurmd"), "-D", "-f", str(self.conf), "-N", self.node])
            self._wait_idle()
        except BaseException:
            self.stop()
            raise
        return self

    def _write_munge_key(self) -> None:
        key = self.dir / "munge/munge.key"
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(os.urandom(1024))

    def _write_conf(self) -> None:
        d = self.dir
        mem = _mem_total_mb()
        ports: set[int] = set()
        while len(ports) < 4:
            ports.add(_free_port())
        self.ctld_port, self.slurmd_port, self.dbd_port, self.mysql_port = sorted(ports)
        if self.accounting:
            accounting = f"""\
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort={self.dbd_port}
AccountingStoragePass={d}/munge/munge.socket
AccountingStorageEnforce=associations
AccountingStoreFlags=job_comment
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=30"""
        else:
            accounting = """\
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none"""
        node = f"{self.node} NodeAddr=127.0.0.1 NodeHostname={self.node}"
        partitions = "\n".join(
            f"PartitionName={p} Nodes={self.node} Default={'YES' if p == self.partition else 'NO'} "
            "MaxTime=INFINITE State=UP"
            for p in self.partitions
        )
        self.conf.write_text(f"""\
# one-node test cluster written by tests/slurm_cluster.py
ClusterName={self.cluster_name}
SlurmctldHost={self.node}(127.0.0.1)
SlurmctldPort={self.ctld_port}
SlurmdPort={self.slurmd_port}
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={d}/munge/munge.socket
StateSaveLocation={d}/state
SlurmdSpoolDir={d}/spool
SlurmctldPidFile={d}/run/slurmctld.pid
SlurmdPidFile={d}/run/slurmd.pid
SlurmctldLogFile={self.ctld_log}
SlurmdLogFile={self.slurmd_log}
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig={d}/etc/plugstack.conf
MpiDefault=none
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SchedulerType=sched/backfill
SlurmdParameters=config_overrides
{accounting}
JobCompType=jobcomp/filetxt
JobCompLoc={self.jobcomp_log}
ReturnToService=2
MinJobAge=300
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=60
NodeName={node} CPUs={self.cpus} RealMemory={mem} State=UNKNOWN
{partitions}
""")
        (d / "etc/plugstack.conf").write_text("")

    def _write_srun_shim(self) -> None:
        """``bin/srun`` = the real srun with SLURM_CONF set again.

        snakemake-executor-plugin-slurm-jobstep (0.6.1) removes every SLURM_* variable except the allocation ids
        before it runs ``srun`` inside a job, so a nested srun loses SLURM_CONF and cannot find a slurm.conf
        that is not at the default path (/etc/slurm/slurm.conf, where real clusters keep it, or configless).
        This cluster keeps its slurm.conf in a temporary directory, hence the shim (first on the jobs' PATH).
        """
        shim = self.dir / "bin/srun"
        shim.write_text(f'#!/bin/sh\nSLURM_CONF={self.conf}\nexport SLURM_CONF\nexec {shutil.which("srun")} "$@"\n')
        shim.chmod(0o755)

    def _spawn(self, name: str, argv: list[str]) -> None:
        out = self.dir / f"log/{name}.stdout"
        fh = open(out, "wb")
        self._logs[name] = out
        self._procs[name] = subprocess.Popen(
            argv,
            stdout=fh,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self.env,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        fh.close()

    def _start_munged(self) -> None:
        m = self.dir / "munge"
        self._spawn(
            "munged",
            [
                self._bin("munged"),
                "--foreground",
                "--force",
                f"--key-file={m}/munge.key",
                f"--socket={m}/munge.socket",
                f"--pid-file={m}/munged.pid",
                f"--log-file={self.dir}/log/munged.log",
                f"--seed-file={m}/munged.seed",
            ],
        )
        deadline = time.monotonic() + 15
        while not (m / "munge.socket").exists():
            if self._procs["munged"].poll() is not None or time.monotonic() > deadline:
                raise SlurmUnavailable("munged did not start:\n" + self.log_tails())
            time.sleep(0.1)

    # ---- accounting: MariaDB + slurmdbd -------------------------------------------------------------
    def _wait_for(self, what: str, proc_name: str, ready, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            proc = self._procs[proc_name]
            if proc.poll() is not None:
                raise SlurmUnavailable(f"{what}: {proc_name} exited with code {proc.returncode}:\n" + self.log_tails())
            if time.monotonic() > deadline:
                raise SlurmUnavailable(f"{what}: not ready after {timeout:.0f}s:\n" + self.log_tails())
            time.sleep(0.2)

    def _mysql(self, sql: str) -> subprocess.CompletedProcess:
        """Run SQL as MariaDB's root over the server's private unix socket."""
        return subprocess.run(
            [self._bin("mariadb"), "--no-defaults", f"--socket={self.dir}/mysql/mysqld.sock", "-u", "root", "-e", sql],
            capture_output=True,
            text=True,
            timeout=30,
        )

    def _start_mariadb(self) -> None:
        """A private MariaDB server: data directory under the cluster's temporary directory, TCP on 127.0.0.1."""
        m = self.dir / "mysql"
        r = subprocess.run(
            [
                self._bin("mariadb-install-db"),
                "--no-defaults",
                f"--datadir={m}/data",
                "--user=root",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if r.returncode != 0:
            raise SlurmUnavailable(f"mariadb-install-db failed ({r.returncode}):\n{tail_text(r.stdout + r.stderr)}")
        self._spawn(
            "mariadbd",
            [
                self._bin("mariadbd"),
                "--no-defaults",
                f"--datadir={m}/data",
                f"--socket={m}/mysqld.sock",
                f"--pid-file={m}/mysqld.pid",
                f"--log-error={self.mysql_log}",
                f"--port={self.mysql_port}",
                "--bind-address=127.0.0.1",
                "--user=root",
                "--skip-name-resolve",
                "--innodb-buffer-pool-size=64M",
                "--innodb-log-file-size=16M",
                "--innodb-flush-log-at-trx-commit=2",  # a test database: speed over durability
            ],
        )
        self._wait_for("MariaDB", "mariadbd", lambda: self._mysql("SELECT 1").returncode == 0)
        self._db_password = os.urandom(12).hex()
        r = self._mysql(
            f"CREATE USER 'slurm'@'127.0.0.1' IDENTIFIED BY '{self._db_password}'; "
            "GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1'; FLUSH PRIVILEGES;"
        )
        if r.returncode != 0:
            raise SlurmUnavailable(f"MariaDB: cannot create the slurm user: {r.stderr.strip()}")

    def _start_slurmdbd(self) -> None:
        d = self.dir
        text = f"""\
# slurmdbd of the one-node test cluster written by tests/slurm_cluster.py
AuthType=auth/munge
AuthInfo=socket={d}/munge/munge.socket
DbdHost={self.node}
DbdAddr=127.0.0.1
DbdPort={self.dbd_port}
CommunicationParameters=NoInAddrAny
SlurmUser=root
DebugLevel=info
LogFile={self.dbd_log}
PidFile={d}/run/slurmdbd.pid
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort={self.mysql_port}
StorageUser=slurm
StoragePass={self._db_password}
StorageLoc=slurm_acct_db
"""
        fd = os.open(self.dbd_conf, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # slurmdbd insists on 0600
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        self._spawn("slurmdbd", [self._bin("slurmdbd"), "-D"])

        def answers() -> bool:
            r = subprocess.run(
                ["sacctmgr", "-n", "-P", "show", "cluster"], env=self.env, capture_output=True, text=True, timeout=30
            )
            return r.returncode == 0

        self._wait_for("slurmdbd", "slurmdbd", answers)

    def _register_accounts(self) -> None:
        """The cluster, the accounts and root's associations, as a site admin would add them."""
        cmds = [["add", "cluster", self.cluster_name]]
        for acct in self.accounts:
            cmds.append(["add", "account", acct, f"Cluster={self.cluster_name}", f"Description=test account {acct}"])
        if self.accounts:
            cmds.append(["add", "user", "root", f"Account={','.join(self.accounts)}", f"Cluster={self.cluster_name}"])
        for cmd in cmds:
            r = subprocess.run(["sacctmgr", "-i", *cmd], env=self.env, capture_output=True, text=True, timeout=30)
            if r.returncode != 0:
                raise SlurmUnavailable(f"sacctmgr {' '.join(cmd)} failed: {(r.stdout + r.stderr).strip()}")

    def _wait_idle(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        state = ""
        while time.monotonic() < deadline:
            for name, proc in self._procs.items():
                if proc.poll() is not None:
                    raise SlurmUnavailable(
                        f"{name} exited with code {proc.returncode} during start-up:\n" + self.log_tails()
                    )
            r = subprocess.run(["sinfo", "-h", "-N", "-o", "%N %t"], env=self.env, capture_output=True, text=True)
            state = (r.stdout + r.stderr).strip()
            if r.returncode == 0 and any(line.split()[1:2] == ["idle"] for line in r.stdout.splitlines()):
                return
            time.sleep(0.5)
        raise SlurmUnavailable(
            f"node {self.node} not idle after {self.startup_timeout:.0f}s (sinfo: {state!r}):\n" + self.log_tails()
        )

    def log_tails(self, lines: int = 25) -> str:
        if self.dir is None:
            return ""
        paths = [self.dir / "log/munged.log", self.mysql_log, self.dbd_log, self.ctld_log, self.slurmd_log]
        paths += list(self._logs.values())
        return "\n".join(_tail(p, lines) for p in paths if p.exists())

    def stop(self) -> None:
        if self.env and "slurmctld" in self._procs and self._procs["slurmctld"].poll() is None:
            # cancel what is left so that no slurmstepd outlives the cluster
            for part in self.partitions:
                subprocess.run(["scancel", "--full", "-p", part], env=self.env, capture_output=True)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and self.jobs(states="RUNNING,COMPLETING,PENDING"):
                time.sleep(0.5)
        for name in ("slurmd", "slurmctld", "slurmdbd", "mariadbd", "munged"):
            proc = self._procs.pop(name, None)
            if proc is None or proc.poll() is not None:
                continue
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30 if name == "mariadbd" else 15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if self.dir is not None and not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    # ---- queries ---------------------------------------------------------------------------------
    def run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(list(argv), env=self.env, capture_output=True, text=True, check=check)

    def jobs(self, states: str = "all", name: str | None = None) -> list[SlurmJob]:
        """Jobs ``squeue`` knows (finished ones stay visible for MinJobAge = 300 s)."""
        argv = ["squeue", "-h", f"--states={states}", "-o", "%i|%j|%T|%k"]
        if name:
            argv += ["--name", name]
        r = subprocess.run(argv, env=self.env, capture_output=True, text=True)
        out = []
        for line in r.stdout.splitlines():
            parts = line.split("|", 3)
            if len(parts) == 4:
                out.append(SlurmJob(*[p.strip() for p in parts]))
        return out

    def finished_jobs(self) -> list[dict[str, str]]:
        """Records of ``jobcomp/filetxt``: one dict per finished job (JobId, JobName, JobState, StartTime, ...)."""
        if self.dir is None or not self.jobcomp_log.exists():
            return []
        recs = []
        for line in self.jobcomp_log.read_text().splitlines():
            rec = dict(re.findall(r"(\w+)=(\S*)", line))
            if rec:
                recs.append(rec)
        return recs

    def sacct(self, *fields: str, name: str | None = None, jobs: list[str] | None = None) -> list[dict[str, str]]:
        """Job records from the accounting database (``sacct -X``: allocations, no steps); accounting variant."""
        argv = ["sacct", "-X", "-P", "-n", "-a", "--starttime", "now-1days", "-o", ",".join(fields)]
        if name:
            argv += ["--name", name]
        if jobs:
            argv += ["-j", ",".join(jobs)]
        r = self.run(*argv)
        return [dict(zip(fields, line.split("|"))) for line in r.stdout.splitlines() if line.strip()]

    def listening(self) -> dict[str, list[str]]:
        """TCP addresses (``ip:port``) each daemon listens on, from /proc (IPv4 and IPv6)."""
        out: dict[str, list[str]] = {}
        listen: dict[str, str] = {}  # socket inode -> address
        for table, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
            try:
                lines = Path(table).read_text().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                f = line.split()
                if len(f) > 9 and f[3] == "0A":  # LISTEN
                    hexip, hexport = f[1].split(":")
                    raw = bytes.fromhex(hexip)
                    if v6:
                        words = [raw[i : i + 4][::-1] for i in range(0, 16, 4)]
                        ip = socket.inet_ntop(socket.AF_INET6, b"".join(words))
                    else:
                        ip = socket.inet_ntoa(raw[::-1])
                    listen[f[9]] = f"{ip}:{int(hexport, 16)}"
        for name, proc in self._procs.items():
            addrs = []
            try:
                fds = list(Path(f"/proc/{proc.pid}/fd").iterdir())
            except OSError:
                continue
            for fd in fds:
                try:
                    target = os.readlink(fd)
                except OSError:
                    continue
                m = re.match(r"socket:\[(\d+)\]", target)
                if m and m.group(1) in listen:
                    addrs.append(listen[m.group(1)])
            out[name] = sorted(addrs)
        return out

    def submitted_job_ids(self) -> list[str]:
        """Job ids slurmctld accepted, from its log (independent of squeue's MinJobAge window)."""
        text = self.ctld_log.read_text(errors="replace") if self.ctld_log.exists() else ""
        return re.findall(r"_slurm_rpc_submit_batch_job: JobId=(\d+)", text)


if __name__ == "__main__":  # manual use: start a cluster and keep it until Ctrl-C
    import sys

    try:
        with SlurmCluster(keep=False, accounting="--accounting" in sys.argv[1:]) as c:
            print(f"export SLURM_CONF={c.conf}")
            print(subprocess.run(["sinfo"], env=c.env, capture_output=True, text=True).stdout)
            signal.pause()
    except SlurmUnavailable as exc:
        raise SystemExit(f"SLURM cluster unavailable: {exc}") from exc
    except KeyboardInterrupt:
        pass
