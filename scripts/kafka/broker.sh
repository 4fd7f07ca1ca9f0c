#!/usr/bin/env bash
# A real single-node Kafka 4.x broker (KRaft, combined broker+controller) for pinetl's tests and
# benchmarks, run from Maven Central's jars: nothing to install by hand but Java and Maven (which
# this script installs with apt-get when they are missing).
#
#   broker.sh fetch                      fetch the jars (once; cached), print their folder
#   broker.sh start DIR [KEY=VALUE ...]  format KRaft storage in DIR (a new folder) and start a
#                                        broker on 127.0.0.1 with free ports picked now; returns
#                                        when it is ready and prints "bootstrap=127.0.0.1:PORT"
#                                        (also in DIR/bootstrap; its pid is in DIR/pid). KEY=VALUE
#                                        pairs are extra server.properties lines.
#   broker.sh stop DIR                   stop it (SIGTERM, SIGKILL after 60 s) and delete DIR
#   broker.sh perf BOOTSTRAP [--records N] [--record-size BYTES | --payload-file FILE]
#                 [--topic T] [--acks A] [--throughput RECORDS_PER_S] [--producer KEY=VALUE ...]
#                                        Kafka's own producer perf test (ProducerPerformance,
#                                        acks=all by default, as fast as it can unless a
#                                        throughput is given) against a running broker; prints
#                                        its report, then one line "kafka-producer-perf: ..." with
#                                        records/s and latency p50/p99 in ms. --payload-file sends
#                                        the file's lines as the records (real records rather than
#                                        random letters); --producer adds a producer setting
#                                        (batch.size=262144, linger.ms=5, compression.type=lz4...)
#   broker.sh bench [--records N] [--record-size BYTES | --payload-file FILE] [--acks A]
#                   [--throughput R] [--partitions P] [--producer KEY=VALUE ...] [KEY=VALUE ...]
#                                        start a broker in a temporary folder, create the topic
#                                        (P partitions, default 1), run perf, stop the broker
#   broker.sh run [KEY=VALUE ...] -- COMMAND [ARGS...]
#                                        start a broker in a temporary folder, run COMMAND with
#                                        KAFKA_BOOTSTRAP set, stop the broker (also on failure)
#
# Environment: PINETL_KAFKA_CACHE (default ~/.cache/pinetl/kafka) holds the jars, outside the
# repository; Maven's own cache stays ~/.m2. KAFKA_HEAP (default -Xms256m -Xmx512m) and
# KAFKA_JVM_OPTS (default G1 with short pauses; tests use the client compiler only, which starts
# faster on a busy machine) apply to every JVM the script starts.
# PINETL_KAFKA_PARENT_PID: when set, the broker is stopped when that process exits (test
# fixtures use it, so a killed test run leaves no broker behind).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pom=$here/pom.xml
cache_root=${PINETL_KAFKA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pinetl/kafka}
heap=${KAFKA_HEAP:--Xms256m -Xmx512m}
jvm_opts=${KAFKA_JVM_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20}

die() { echo "broker.sh: $*" >&2; exit 1; }

need_tools() {
  local missing=()
  command -v java > /dev/null || missing+=(openjdk-17-jre-headless)
  command -v mvn > /dev/null || missing+=(maven)
  command -v python3 > /dev/null || missing+=(python3)
  if ((${#missing[@]})); then
    echo "broker.sh: installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
      "${missing[@]}" >&2 || { apt-get -o DPkg::Lock::Timeout=600 update -q >&2 &&
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
      "${missing[@]}" >&2; } || die "could not install ${missing[*]}"
  fi
}

# The jar folder for this pom.xml (its hash names it, so editing the POM fetches again).
libs_dir() {
  local sum
  sum=$(sha256sum "$pom" | cut -c1-12)
  echo "$cache_root/libs-$sum"
}

fetch() {
  local libs tmp
  libs=$(libs_dir)
  if [ -f "$libs/.complete" ]; then echo "$libs"; return; fi
  need_tools
  mkdir -p "$cache_root"
  # One fetch at a time (parallel test runs): the others wait, then find the jars there.
  exec 9> "$cache_root/.fetch.lock"
  flock 9
  if [ ! -f "$libs/.complete" ]; then
    tmp=$(mktemp -d "$cache_root/.fetch.XXXXXX")
    echo "broker.sh: fetching Kafka's jars with Maven into $libs" >&2
    if ! mvn -q -B -Dstyle.color=never -f "$pom" \
        org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$tmp" >&2; then
      rm -rf "$tmp"; die "mvn dependency:copy-dependencies failed"
    fi
    touch "$tmp/.complete"
    rm -rf "$libs"
    mv -T "$tmp" "$libs"
  fi
  flock -u 9
  exec 9>&-
  echo "$libs"
}

# Prints N free TCP ports on 127.0.0.1 (all bound at once, so they differ).
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

# Kafka's cluster ids are 16 random bytes in URL-safe base64 without padding; like Kafka's own
# Uuid.randomUuid, never one that starts with "-" (a command line would take it for an option).
cluster_id() {
  python3 -c '
import base64, uuid
while True:
    s = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    if not s.startswith("-"):
        print(s)
        break'
}

write_config() { # DIR BROKER_PORT CONTROLLER_PORT [KEY=VALUE ...]
  local dir=$1 bport=$2 cport=$3
  shift 3
  cat > "$dir/server.properties" <<EOF
# Generated by scripts/kafka/broker.sh: one combined broker+controller (KRaft) on loopback.
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$bport,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$bport
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.quorum.bootstrap.servers=127.0.0.1:$cport
log.dirs=$dir/data
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
EOF
  local kv
  for kv in "$@"; do
    [[ $kv == *=* ]] || die "not KEY=VALUE: $kv"
    echo "$kv" >> "$dir/server.properties"
  done
  write_log4j "$dir"
}

write_log4j() { # DIR: Kafka's log goes to DIR/server.log
  local dir=$1
  cat > "$dir/log4j2.properties" <<EOF
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = $dir/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
EOF
}

# The class-data-sharing archive of this JVM, jars and options: the broker starts about 40 %
# faster with it (the classes come mapped from it rather than loaded and verified one by one).
# The first broker writes it when it stops cleanly (-XX:ArchiveClassesAtExit); every JVM of this
# script uses it once it exists. PINETL_KAFKA_CDS=0 turns it off.
cds_archive() {
  local javabin key
  javabin=$(readlink -f "$(command -v java)")
  key=$(printf '%s\n' "$javabin" "$(stat -c %Y "$javabin")" "$heap" "$jvm_opts" "$(libs_dir)" |
    sha256sum | cut -c1-12)
  echo "$(libs_dir)/../cds-$key.jsa"
}

# Sets java_argv to the java command line for MAINCLASS ARGS (logging into DIR). With DUMP set,
# a JVM that finds no archive writes one to DUMP at exit.
java_argv() { # DIR MAINCLASS ARGS...
  local dir=$1 cds=()
  shift
  if [ "${PINETL_KAFKA_CDS:-1}" != 0 ]; then
    local archive
    archive=$(cds_archive)
    if [ -f "$archive" ]; then
      cds=(-XX:SharedArchiveFile="$archive" -Xlog:cds=off -Xlog:cds+dynamic=off)
    elif [ -n "${DUMP:-}" ]; then
      cds=(-XX:ArchiveClassesAtExit="$DUMP")
    fi
  fi
  # shellcheck disable=SC2206 # KAFKA_HEAP and KAFKA_JVM_OPTS are lists of JVM options
  java_argv=(java $heap $jvm_opts "${cds[@]}" -Djava.awt.headless=true
    -Dlog4j2.configurationFile="$dir/log4j2.properties" -Dkafka.logs.dir="$dir"
    -cp "$(libs_dir)/*" "$@")
}

java_cmd() { # DIR MAINCLASS ARGS...
  java_argv "$@"
  "${java_argv[@]}"
}

start() {
  [ $# -ge 1 ] || die "usage: broker.sh start DIR [KEY=VALUE ...]"
  local dir=$1 attempt ports bport cport pid t0 i
  shift
  fetch > /dev/null
  [ ! -e "$dir" ] || [ -z "$(ls -A "$dir")" ] || die "$dir exists and is not empty"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  t0=$(date +%s%N)
  for attempt in 1 2 3; do
    rm -rf "$dir/data" "$dir/server.log"
    read -r bport cport <<< "$(free_ports 2)"
    write_config "$dir" "$bport" "$cport" "$@"
    java_cmd "$dir" kafka.tools.StorageTool format --standalone -t "$(cluster_id)" \
      -c "$dir/server.properties" > "$dir/format.out" 2>&1 ||
      { cat "$dir/format.out" >&2; die "kafka-storage format failed"; }
    # setsid: its own process group, so the caller's terminal signals do not reach it.
    DUMP=$dir/cds.jsa java_argv "$dir" kafka.Kafka "$dir/server.properties"
    setsid "${java_argv[@]}" > "$dir/broker.out" 2>&1 < /dev/null &
    pid=$!
    echo "$pid" > "$dir/pid"
    for ((i = 0; i < 1200; i++)); do # up to 120 s on a loaded machine
      if ! kill -0 "$pid" 2> /dev/null; then break; fi
      if grep -q "Kafka Server started" "$dir/server.log" 2> /dev/null; then
        echo "127.0.0.1:$bport" > "$dir/bootstrap"
        if [ -n "${PINETL_KAFKA_PARENT_PID:-}" ]; then
          watchdog "$PINETL_KAFKA_PARENT_PID" "$pid" "$dir" &
        fi
        t0=$((($(date +%s%N) - t0) / 1000000))
        printf 'broker.sh: broker ready in %d.%03d s (pid %s, %s)\n' \
          $((t0 / 1000)) $((t0 % 1000)) "$pid" "$dir" >&2
        echo "bootstrap=127.0.0.1:$bport"
        return 0
      fi
      sleep 0.1
    done
    if kill -0 "$pid" 2> /dev/null; then
      kill -KILL "$pid" 2> /dev/null || true
      tail -n 30 "$dir/server.log" >&2 || true
      die "the broker did not become ready in 120 s"
    fi
    # It died: a port taken between picking and binding is retried with new ports.
    if grep -qi "address already in use" "$dir/server.log" "$dir/broker.out" 2> /dev/null; then
      echo "broker.sh: port taken, retrying ($attempt)" >&2
      continue
    fi
    tail -n 30 "$dir/server.log" "$dir/broker.out" >&2 || true
    die "the broker exited during start-up"
  done
  die "no free ports after 3 attempts"
}

# Stops the broker when the parent process exits (detached from the caller's stdout).
watchdog() { # PARENT_PID BROKER_PID DIR
  exec > /dev/null 2>&1 < /dev/null
  while kill -0 "$1" 2> /dev/null && kill -0 "$2" 2> /dev/null; do sleep 1; done
  if kill -0 "$2" 2> /dev/null; then
    kill -KILL "$2" 2> /dev/null || true
    rm -rf "$3"
  fi
}

stop() {
  [ $# -eq 1 ] || die "usage: broker.sh stop DIR"
  local dir=$1 pid i exited=0
  [ -d "$dir" ] || return 0
  if [ -f "$dir/pid" ]; then
    pid=$(cat "$dir/pid")
    # Only a java process started from this DIR is ours to stop.
    if kill -0 "$pid" 2> /dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF "$dir/server.properties"; then
      kill -TERM "$pid" 2> /dev/null || true
      for ((i = 0; i < 600; i++)); do # 60 s: the first stop also writes the CDS archive
        kill -0 "$pid" 2> /dev/null || { exited=1; break; }
        sleep 0.1
      done
      ((exited)) || kill -KILL "$pid" 2> /dev/null || true
    fi
  fi
  # A complete archive (the JVM exited by itself) goes into the cache, atomically.
  if ((exited)) && [ -s "$dir/cds.jsa" ]; then
    local archive
    archive=$(cds_archive)
    if [ ! -f "$archive" ] && mv "$dir/cds.jsa" "$archive.$$"; then
      mv "$archive.$$" "$archive"
    fi
  fi
  rm -rf "$dir"
}

perf() {
  [ $# -ge 1 ] || die "usage: broker.sh perf BOOTSTRAP [--records N] [--record-size BYTES] [--topic T] [--acks A] [--throughput R]"
  local bootstrap=$1 records=200000 size=1000 topic=perf acks=all rate=-1 out tmp
  local payload=() producer=()
  shift
  while [ $# -gt 0 ]; do
    case $1 in
      --records) records=$2; shift 2 ;;
      --record-size) size=$2; shift 2 ;;
      --payload-file) payload=(--payload-file "$2"); size=file; shift 2 ;;
      --topic) topic=$2; shift 2 ;;
      --acks) acks=$2; shift 2 ;;
      --throughput) rate=$2; shift 2 ;;
      --producer) [[ $2 == *=* ]] || die "perf: not KEY=VALUE: $2"; producer+=("$2"); shift 2 ;;
      *) die "perf: unknown option $1" ;;
    esac
  done
  [ ${#payload[@]} -gt 0 ] || payload=(--record-size "$size")
  fetch > /dev/null
  tmp=$(mktemp -d)
  write_log4j "$tmp"
  out=$(java_cmd "$tmp" org.apache.kafka.tools.ProducerPerformance --topic "$topic" \
    --num-records "$records" "${payload[@]}" --throughput "$rate" \
    --producer-props bootstrap.servers="$bootstrap" acks="$acks" "${producer[@]}" 2>&1) ||
    { rm -rf "$tmp"; echo "$out" >&2; die "ProducerPerformance failed"; }
  rm -rf "$tmp"
  echo "$out"
  # The final line: "N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max
  # latency, P50 ms 50th, P95 ms 95th, P99 ms 99th, P999 ms 99.9th."
  echo "$out" | tail -n 1 | python3 -c '
import re, sys
line = sys.stdin.read()
m = re.search(r"(\d+) records sent, ([\d.]+) records/sec .* ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th", line)
if not m:
    sys.exit("broker.sh: cannot read the perf summary: " + line.strip())
n, rate, avg, mx, p50, p95, p99 = m.groups()
producer = ",".join(kv.replace("=", ":", 1) for kv in sys.argv[3:]) or "defaults"
print(f"kafka-producer-perf: records={n} record_size={sys.argv[1]} acks={sys.argv[2]} "
      f"records_per_s={float(rate):.0f} p50_ms={p50} p99_ms={p99} avg_ms={avg} max_ms={mx} "
      f"producer={producer}")
' "$size" "$acks" "${producer[@]}"
}

create_topic() { # DIR BOOTSTRAP TOPIC PARTITIONS
  java_cmd "$1" org.apache.kafka.tools.TopicCommand --bootstrap-server "$2" --create \
    --topic "$3" --partitions "$4" --replication-factor 1 > /dev/null
}

bench() {
  local records=200000 size=1000 props=() popts=() partitions=1 dir bootstrap rc=0
  while [ $# -gt 0 ]; do
    case $1 in
      --records) records=$2; shift 2 ;;
      --record-size) size=$2; shift 2 ;;
      --partitions) partitions=$2; shift 2 ;;
      --acks | --throughput | --payload-file | --producer) popts+=("$1" "$2"); shift 2 ;;
      *=*) props+=("$1"); shift ;;
      *) die "bench: unknown option $1" ;;
    esac
  done
  dir=$(mktemp -d)
  trap 'stop "$dir"' EXIT
  bootstrap=$(start "$dir" "${props[@]}" | sed -n 's/^bootstrap=//p')
  create_topic "$dir" "$bootstrap" perf "$partitions"
  perf "$bootstrap" --records "$records" --record-size "$size" --topic perf "${popts[@]}" || rc=$?
  stop "$dir"
  trap - EXIT
  return $rc
}

run() {
  local props=() dir bootstrap rc=0
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do props+=("$1"); shift; done
  [ "${1:-}" = "--" ] && [ $# -ge 2 ] || die "usage: broker.sh run [KEY=VALUE ...] -- COMMAND [ARGS...]"
  shift
  dir=$(mktemp -d)
  trap 'stop "$dir"' EXIT
  bootstrap=$(start "$dir" "${props[@]}" | sed -n 's/^bootstrap=//p')
  KAFKA_BOOTSTRAP=$bootstrap "$@" || rc=$?
  stop "$dir"
  trap - EXIT
  return $rc
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
  fetch) fetch ;;
  start) start "$@" ;;
  stop) stop "$@" ;;
  perf) perf "$@" ;;
  bench) bench "$@" ;;
  run) run "$@" ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
