/* WebSocket load client for the bench: one process, many members of one room.
 *
 * Why C: on a two-core machine the load generator shares the cores with the servers it
 * measures. A Python client spent about as much CPU per received frame as the server
 * spent sending it, so a second server worker (W5) had no core left to use; here a frame
 * costs the client a read and a few comparisons.
 *
 * Usage: ws_client HOST PORT PATH ORIGIN COOKIES_FILE LATENCIES_FILE
 * COOKIES_FILE holds one Cookie header value per member (an empty line: no cookie).
 * Commands on stdin, one a line; each is answered with one line on stdout:
 *   open                                   -> opened SECONDS
 *   phase TAG SENDERS PERIOD SECONDS OFFSET TOTAL
 *                                          -> armed             (counting TAG's frames)
 *   go                                     -> sent N            (when the sending is over)
 *   expect EACH                            -> phase SENT RECEIVED REFUSED LATENCIES
 *       (every socket has EACH of the phase's chat frames, or the drain time is up; the
 *        phase's latencies, in seconds, are written to LATENCIES_FILE as doubles)
 *   close                                  -> closed
 * A member's chat text is "bench TAG SENT_AT N"; frames of an earlier phase are not
 * counted. Server frames are unmasked; ours are masked (RFC 6455).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define OPEN_CONCURRENCY 100
#define DRAIN_SECONDS 1.5
#define READ_CHUNK 65536
#define STDIN_KEY UINT64_MAX
#define POLL_MS 100
#define BUSY_FRAMES_PER_S 20000

enum state { IDLE, CONNECTING, UPGRADING, JOINING, JOINED, CLOSED };

typedef struct {
    int fd;
    enum state state;
    char *cookie;
    unsigned char *in;
    size_t in_len, in_cap;
    unsigned char *out;
    size_t out_len, out_cap;
    long received, refused;
    int wants_out;
    long sent;
    double next_send;
} member_t;

static member_t *members;
static int member_count;
static int epoll_fd;
static const char *host, *path, *origin, *latencies_path;
static int port;

static char phase_tag[32] = "";
static char needle[64];
static size_t needle_len;
static double *latencies;
static size_t latency_count, latency_cap;
static long want_each = -1;
static long frames_seen;
static long short_members;

static double now_real(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now_mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *message) {
    fprintf(stderr, "ws_client: %s: %s\n", message, strerror(errno));
    exit(1);
}

static void reply(const char *format, ...) {
    va_list args;
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    putchar('\n');
    fflush(stdout);
}

static void grow(unsigned char **buffer, size_t *cap, size_t need) {
    if (need <= *cap) return;
    size_t cap2 = *cap ? *cap : 4096;
    while (cap2 < need) cap2 *= 2;
    *buffer = realloc(*buffer, cap2);
    if (!*buffer) die("out of memory");
    *cap = cap2;
}

static void watch(member_t *m, uint32_t events, int op) {
    struct epoll_event ev = {.events = events, .data.u64 = (uint64_t)(m - members)};
    if (epoll_ctl(epoll_fd, op, m->fd, &ev) < 0) die("epoll_ctl");
}

static void flush_out(member_t *m) {
    while (m->out_len) {
        ssize_t n = send(m->fd, m->out, m->out_len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN) {
                if (!m->wants_out) watch(m, EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
                m->wants_out = 1;
                return;
            }
            m->out_len = 0;
            return;
        }
        memmove(m->out, m->out + n, m->out_len - n);
        m->out_len -= n;
    }
    if (m->wants_out) watch(m, EPOLLIN, EPOLL_CTL_MOD);
    m->wants_out = 0;
}

static void queue_bytes(member_t *m, const void *data, size_t size) {
    int was_empty = m->out_len == 0;
    grow(&m->out, &m->out_cap, m->out_len + size);
    memcpy(m->out + m->out_len, data, size);
    m->out_len += size;
    if (was_empty && m->state != CONNECTING) flush_out(m);
}

static void send_frame(member_t *m, int opcode, const char *payload, size_t size) {
    unsigned char frame[16 + 1024];
    size_t at = 0;
    if (size > 1024) return;
    frame[at++] = 0x80 | opcode;
    if (size < 126) {
        frame[at++] = 0x80 | size;
    } else {
        frame[at++] = 0x80 | 126;
        frame[at++] = size >> 8;
        frame[at++] = size & 0xff;
    }
    uint32_t key = (uint32_t)random();
    unsigned char *mask = frame + at;
    memcpy(mask, &key, 4);
    at += 4;
    for (size_t i = 0; i < size; i++) frame[at + i] = payload[i] ^ mask[i & 3];
    queue_bytes(m, frame, at + size);
}

static void send_upgrade(member_t *m) {
    char request[4096];
    unsigned char raw[16];
    char key[32];
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 16; i++) raw[i] = random() & 0xff;
    int k = 0;
    for (int i = 0; i < 15; i += 3) {
        uint32_t v = raw[i] << 16 | raw[i + 1] << 8 | raw[i + 2];
        key[k++] = b64[v >> 18 & 63];
        key[k++] = b64[v >> 12 & 63];
        key[k++] = b64[v >> 6 & 63];
        key[k++] = b64[v & 63];
    }
    key[k++] = b64[raw[15] >> 2];
    key[k++] = b64[(raw[15] & 3) << 4];
    key[k++] = '=';
    key[k++] = '=';
    key[k] = 0;
    int n = snprintf(request, sizeof request,
                     "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                     "Sec-WebSocket-Version: 13\r\nOrigin: %s\r\n%s%s%s\r\n",
                     path, host, port, key, origin, *m->cookie ? "Cookie: " : "", m->cookie,
                     *m->cookie ? "\r\n" : "");
    m->state = UPGRADING;
    queue_bytes(m, request, n);
}

static void start_connect(member_t *m) {
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, host, &address.sin_addr);
    m->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (m->fd < 0) die("socket");
    int one = 1;
    setsockopt(m->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    m->state = CONNECTING;
    if (connect(m->fd, (struct sockaddr *)&address, sizeof address) < 0 && errno != EINPROGRESS)
        die("connect");
    watch(m, EPOLLOUT, EPOLL_CTL_ADD);
    m->wants_out = 1;
}

static void member_closed(member_t *m) {
    if (m->state == CLOSED) return;
    if (m->state != JOINED) {
        fprintf(stderr, "ws_client: member %ld closed before joining\n", (long)(m - members));
        exit(1);
    }
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, m->fd, NULL);
    close(m->fd);
    m->state = CLOSED;
}

static void count_chat(member_t *m, const unsigned char *payload, size_t size, double now) {
    const unsigned char *text = memmem(payload, size, needle, needle_len);
    if (text) {
        if (!memmem(payload, text - payload, "\"chat\"", 6)) return;
        char stamp[32];
        size_t room = size - (text + needle_len - payload);
        size_t take = room < sizeof stamp - 1 ? room : sizeof stamp - 1;
        memcpy(stamp, text + needle_len, take);
        stamp[take] = 0;
        if (latency_count == latency_cap) {
            latency_cap = latency_cap ? latency_cap * 2 : 65536;
            latencies = realloc(latencies, latency_cap * sizeof *latencies);
            if (!latencies) die("out of memory");
        }
        latencies[latency_count++] = now - strtod(stamp, NULL);
        m->received++;
        if (m->received == want_each) short_members--;
    } else if (memmem(payload, size, "\"rate_limited\"", 14)) {
        m->refused++;
    }
}

static void read_frames(member_t *m, double now) {
    size_t at = 0;
    unsigned char *buffer = m->in;
    while (m->in_len - at >= 2) {
        int opcode = buffer[at] & 0x0f;
        uint64_t length = buffer[at + 1] & 0x7f;
        size_t start = at + 2;
        if (length == 126) {
            if (m->in_len - at < 4) break;
            length = (uint64_t)buffer[at + 2] << 8 | buffer[at + 3];
            start = at + 4;
        } else if (length == 127) {
            if (m->in_len - at < 10) break;
            length = 0;
            for (int i = 0; i < 8; i++) length = length << 8 | buffer[at + 2 + i];
            start = at + 10;
        }
        if (start + length > m->in_len) break;
        at = start + length;
        if (opcode == 0x1) {
            frames_seen++;
            if (m->state == JOINING) {
                m->state = JOINED;  // the first frame: the snapshot (or the bare hello)
            } else if (needle_len) {
                count_chat(m, buffer + start, length, now);
            }
        } else if (opcode == 0x9) {
            send_frame(m, 0xA, (const char *)buffer + start, length);
        } else if (opcode == 0x8) {
            member_closed(m);
            return;
        }
    }
    memmove(buffer, buffer + at, m->in_len - at);
    m->in_len -= at;
}

static void on_readable(member_t *m) {
    grow(&m->in, &m->in_cap, m->in_len + READ_CHUNK);
    ssize_t n = recv(m->fd, m->in + m->in_len, m->in_cap - m->in_len, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN)) {
        member_closed(m);
        return;
    }
    if (n < 0) return;
    m->in_len += n;
    if (m->state == UPGRADING) {
        unsigned char *end = memmem(m->in, m->in_len, "\r\n\r\n", 4);
        if (!end) return;
        if (m->in_len < 12 || memcmp(m->in, "HTTP/1.1 101", 12) != 0) {
            fprintf(stderr, "ws_client: upgrade refused: %.*s\n", (int)(m->in_len < 80 ? m->in_len : 80),
                    m->in);
            exit(1);
        }
        size_t used = end + 4 - m->in;
        memmove(m->in, m->in + used, m->in_len - used);
        m->in_len -= used;
        m->state = JOINING;
    }
    read_frames(m, now_real());
}

static void on_writable(member_t *m) {
    if (m->state == CONNECTING) {
        int error = 0;
        socklen_t len = sizeof error;
        getsockopt(m->fd, SOL_SOCKET, SO_ERROR, &error, &len);
        if (error) {
            errno = error;
            die("connect");
        }
        send_upgrade(m);
        return;
    }
    flush_out(m);
}

/* Wait for sockets (and stdin) for at most `timeout_ms`, handle what is ready; 1 when stdin
 * has a line. While frames pour in (BUSY_FRAMES_PER_S or more over the last half second) the
 * client polls every POLL_MS instead of sleeping in epoll_wait: a client asleep there is
 * woken for every few frames, and on loopback the server's send pays for that wake-up (a
 * client on another host costs it nothing), so a blocked client made each delivery dearer
 * for the server than the network would; reading many frames a read also costs the
 * client less than a read (and an ACK) a frame. Below that rate (the light loads of W2)
 * the client sleeps in epoll_wait and measures latency to the millisecond; above it the
 * latency measured includes the poll interval: it can only come out higher. */
static int handle_events(int timeout_ms) {
    static int busy;
    static double window_start;
    static long window_frames;
    struct epoll_event events[1024];
    if (busy && timeout_ms > 0) {
        int ms = timeout_ms < POLL_MS ? timeout_ms : POLL_MS;
        struct timespec pause = {.tv_sec = 0, .tv_nsec = ms * 1000000L};
        nanosleep(&pause, NULL);
        timeout_ms = 0;
    }
    double now = now_mono();
    if (now - window_start >= 0.5) {
        busy = needle_len && (frames_seen - window_frames) / (now - window_start) >= BUSY_FRAMES_PER_S;
        window_start = now;
        window_frames = frames_seen;
    }
    int n = epoll_wait(epoll_fd, events, 1024, timeout_ms);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    int stdin_ready = 0;
    for (int i = 0; i < n; i++) {
        if (events[i].data.u64 == STDIN_KEY) {
            stdin_ready = 1;
            continue;
        }
        member_t *m = &members[events[i].data.u64];
        if (m->state == CLOSED) continue;
        if (events[i].events & (EPOLLOUT)) on_writable(m);
        if (m->state != CLOSED && events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
            on_readable(m);
    }
    return stdin_ready;
}

static int count_state(enum state state) {
    int count = 0;
    for (int i = 0; i < member_count; i++) count += members[i].state == state;
    return count;
}

static void open_all(void) {
    double started = now_mono();
    int next = 0;
    while (count_state(JOINED) < member_count) {
        int pending = member_count - count_state(JOINED) - count_state(IDLE);
        while (pending < OPEN_CONCURRENCY && next < member_count) {
            start_connect(&members[next++]);
            pending++;
        }
        handle_events(100);
        if (now_mono() - started > 600) {
            fprintf(stderr, "ws_client: sockets not open after 600 s\n");
            exit(1);
        }
    }
    reply("opened %.6f", now_mono() - started);
}

static void send_chat(member_t *m) {
    char payload[160];
    int n = snprintf(payload, sizeof payload,
                     "{\"type\": \"chat\", \"text\": \"bench %s %.6f %ld\"}", phase_tag, now_real(),
                     m->sent);
    send_frame(m, 0x1, payload, n);
    m->sent++;
}

static long run_senders(int senders, double period, double seconds, int offset, int total) {
    double start = now_mono(), end = start + seconds;
    for (int i = 0; i < senders && i < member_count; i++) {
        members[i].sent = 0;
        members[i].next_send = start + fmod((offset + i) * period / total, period);
    }
    for (;;) {
        double now = now_mono(), soonest = end;
        for (int i = 0; i < senders && i < member_count; i++) {
            member_t *m = &members[i];
            if (m->state != JOINED) continue;
            if (m->next_send <= now && now < end) {
                send_chat(m);
                m->next_send += period;
            }
            if (m->next_send < soonest) soonest = m->next_send;
        }
        if (now >= end) break;
        double wait = soonest - now_mono();
        handle_events(wait > 0 ? (int)(wait * 1000) + 1 : 0);
    }
    long sent = 0;
    for (int i = 0; i < senders && i < member_count; i++) sent += members[i].sent;
    return sent;
}

static void phase(char *arguments) {
    int senders, offset, total;
    double period, seconds;
    char tag[32];
    if (sscanf(arguments, "%31s %d %lf %lf %d %d", tag, &senders, &period, &seconds, &offset,
               &total) != 6) {
        fprintf(stderr, "ws_client: bad phase command: %s\n", arguments);
        exit(1);
    }
    snprintf(phase_tag, sizeof phase_tag, "%s", tag);
    needle_len = snprintf(needle, sizeof needle, "\"bench %s ", phase_tag);
    latency_count = 0;
    want_each = -1;
    for (int i = 0; i < member_count; i++) members[i].received = members[i].refused = 0;
    // Armed: this phase's frames count from now on. Nobody sends until every process is
    // armed, or the first frames could reach a process still counting the last phase.
    reply("armed");
    char line[256];
    while (!handle_events(50)) {
    }
    if (!fgets(line, sizeof line, stdin) || strncmp(line, "go", 2) != 0) {
        fprintf(stderr, "ws_client: expected 'go'\n");
        exit(1);
    }
    long sent = run_senders(senders, period, seconds, offset, total);
    double drained_by = now_mono() + DRAIN_SECONDS;
    reply("sent %ld", sent);
    // keep reading sockets until the parent says how many frames each socket should get
    while (!handle_events(50)) {
    }
    if (!fgets(line, sizeof line, stdin) || sscanf(line, "expect %ld", &want_each) != 1) {
        fprintf(stderr, "ws_client: expected 'expect N'\n");
        exit(1);
    }
    short_members = 0;
    for (int i = 0; i < member_count; i++)
        short_members += members[i].state == JOINED && members[i].received < want_each;
    while (short_members > 0 && now_mono() < drained_by) {
        handle_events((int)((drained_by - now_mono()) * 1000) + 1);
    }
    long received = 0, refused = 0;
    for (int i = 0; i < member_count; i++) {
        received += members[i].received;
        refused += members[i].refused;
    }
    FILE *out = fopen(latencies_path, "wb");
    if (!out) die(latencies_path);
    fwrite(latencies, sizeof *latencies, latency_count, out);
    fclose(out);
    needle_len = 0;  // between phases nothing is counted
    reply("phase %ld %ld %ld %zu", sent, received, refused, latency_count);
}

static void close_all(void) {
    static const char code[] = {0x03, (char)0xe8};
    for (int i = 0; i < member_count; i++)
        if (members[i].state == JOINED) send_frame(&members[i], 0x8, code, 2);
    double deadline = now_mono() + 5;
    while (now_mono() < deadline && count_state(JOINED) > 0) handle_events(100);
    reply("closed");
}

static void read_cookies(const char *file) {
    FILE *in = fopen(file, "r");
    if (!in) die(file);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int cap_members = 0;
    while ((n = getline(&line, &cap, in)) >= 0) {
        if (n > 0 && line[n - 1] == '\n') line[--n] = 0;
        if (member_count == cap_members) {
            cap_members = cap_members ? cap_members * 2 : 1024;
            members = realloc(members, cap_members * sizeof *members);
            if (!members) die("out of memory");
        }
        members[member_count] = (member_t){.fd = -1, .state = IDLE, .cookie = strdup(line)};
        member_count++;
    }
    free(line);
    fclose(in);
}

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: ws_client HOST PORT PATH ORIGIN COOKIES_FILE LATENCIES_FILE\n");
        return 2;
    }
    host = argv[1];
    port = atoi(argv[2]);
    path = argv[3];
    origin = argv[4];
    latencies_path = argv[6];
    srandom(getpid() ^ (unsigned)time(NULL));
    read_cookies(argv[5]);
    epoll_fd = epoll_create1(0);
    if (epoll_fd < 0) die("epoll_create1");
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = STDIN_KEY};
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, STDIN_FILENO, &ev) < 0) die("epoll_ctl stdin");
    char line[256];
    for (;;) {
        while (!handle_events(100)) {
        }  // sockets are read between commands too
        if (!fgets(line, sizeof line, stdin)) break;
        if (strncmp(line, "open", 4) == 0) {
            open_all();
        } else if (strncmp(line, "phase ", 6) == 0) {
            phase(line + 6);
        } else if (strncmp(line, "close", 5) == 0) {
            close_all();
            return 0;
        } else {
            fprintf(stderr, "ws_client: unknown command: %s", line);
            return 2;
        }
    }
    return 0;
}
