/* limits.h - every bound Stagewise puts on input, in one place.
 *
 * Anything that reads from a peer, a file or the command line is bounded by
 * one of these. Unauthenticated peers get the smaller figures. When a limit
 * is hit the caller answers with a precise error (413, 431, 408, 400 or one
 * sentence on the command line), never a crash or a partial write.
 * Figures that an operator may change at run time are defaults here and
 * options of `stagewise serve`; the rest are fixed. */
#ifndef SW_LIMITS_H
#define SW_LIMITS_H

/* A number as a string literal, for building SQL from these figures. */
#define SW_STR_(x) #x
#define SW_STR(x)  SW_STR_(x)

/* ---- HTTP ---------------------------------------------------------------- */

/* Request line plus all header fields, as the application sees them. */
#define SW_HTTP_MAX_HEADER_BYTES      (16 * 1024)
/* Memory the HTTP library may use per connection for reading the head;
 * larger than SW_HTTP_MAX_HEADER_BYTES so that our own check, which answers
 * in JSON, runs first for any head that fits. */
#define SW_HTTP_CONNECTION_MEMORY     (64 * 1024)
/* The raw request target (path and query). */
#define SW_HTTP_MAX_URI_BYTES         (8 * 1024)
#define SW_HTTP_MAX_PATH_SEGMENTS     32
#define SW_HTTP_MAX_QUERY_PARAMS      128
/* Request body: large enough for a big FHIR transaction bundle. */
#define SW_HTTP_MAX_BODY_BYTES        (32 * 1024 * 1024)
/* A request must arrive completely (head and body) within this time. */
#define SW_HTTP_REQUEST_TIMEOUT_S     30
/* A connection that has not begun a request this long after opening or
 * after its previous response is closed: an unused keep-alive connection, or
 * a request line trickling in (which the HTTP library does not show us
 * until it is complete). */
#define SW_HTTP_IDLE_TIMEOUT_S        30
/* Connections at once, in all, and from one address. */
#define SW_HTTP_MAX_CONNECTIONS       1024
#define SW_HTTP_MAX_CONNECTIONS_PER_IP 256
/* How long shutdown waits for requests in flight. */
#define SW_HTTP_SHUTDOWN_GRACE_S      10
/* Response body a handler may build in memory. */
#define SW_HTTP_MAX_RESPONSE_BYTES    (64 * 1024 * 1024)
/* Per-request arena: everything a request allocates. */
#define SW_HTTP_MAX_REQUEST_MEMORY    (256 * 1024 * 1024)
#define SW_HTTP_DEFAULT_THREADS       16
#define SW_HTTP_MAX_THREADS           256

/* ---- Store --------------------------------------------------------------- */

#define SW_STORE_MAX_URL_BYTES        4096
/* Write jobs that may share one transaction and one fsync. */
#define SW_STORE_MAX_GROUP            512
/* Prepared statements cached per connection. */
#define SW_STORE_STMT_CACHE           64
#define SW_STORE_MAX_PARAMS           999
#define SW_STORE_BUSY_TIMEOUT_MS      10000
#define SW_STORE_DEFAULT_PG_POOL      8
#define SW_STORE_MAX_PG_POOL          128
/* A read transaction (a search, a history page, an export page) that runs
 * longer than this is stopped with SW_ECOSTLY: one careless search must not
 * hold a worker and the database for minutes. */
#define SW_STORE_READ_BUDGET_MS       10000
/* The SQLite WAL is checkpointed (by a thread of its own, off the writer's
 * path) once it holds this many pages since the last checkpoint. */
#define SW_STORE_CHECKPOINT_PAGES     8000
/* SQLite page cache per connection, in KiB (allocated as used). */
#define SW_STORE_WRITER_CACHE_KB      65536
#define SW_STORE_READER_CACHE_KB      8192
/* A serialization failure on PostgreSQL is retried this many times. */
#define SW_STORE_PG_RETRIES           8

/* ---- FHIR ---------------------------------------------------------------- */

/* Search (docs/fhir-search.md). */
#define FHIR_SEARCH_PAGE_DEFAULT   20      /* _count when absent */
#define FHIR_SEARCH_PAGE_MAX       1000    /* larger _count is lowered to it */
#define FHIR_SEARCH_MAX_VALUES     100     /* comma-separated values per parameter */
#define FHIR_SEARCH_MAX_SORT       8       /* _sort keys */
#define FHIR_SEARCH_MAX_INCLUDED   2000    /* _include/_revinclude resources per page */
#define FHIR_SEARCH_MAX_ELEMENTS   64      /* names in _elements */
#define FHIR_SEARCH_MAX_FORM_BYTES (64 * 1024)  /* POST _search body */
/* Validation: issues kept per resource (past it the rest are counted as
 * dropped), and the longest location kept (deeper paths end in "..."). */
#define FHIR_VALIDATE_MAX_ISSUES 1000
#define FHIR_VALIDATE_MAX_PATH   1024
/* The longest string, code or markdown value FHIR accepts (xhtml is not a
 * string type and is bounded only by the body size). */
#define FHIR_STRING_MAX_BYTES    (1024 * 1024)
/* Entries in one Bundle. */
#define FHIR_BUNDLE_MAX_ENTRIES 10000

/* ---- Command line and identity ------------------------------------------- */

#define SW_MAX_USERNAME_BYTES         64
#define SW_MIN_PASSWORD_CHARS         12
#define SW_MAX_PASSWORD_CHARS         128
#define SW_MAX_PRACTICE_NAME_BYTES    200

/* Sign-in and sessions (docs/auth.md). Durations are defaults of `stagewise
 * serve` options, bounded by the _MAX figures. */
#define SW_SESSION_IDLE_S             (15 * 60)      /* --session-idle */
#define SW_SESSION_MAX_S              (12 * 60 * 60) /* --session-max */
#define SW_SESSION_IDLE_MAX_S         (24 * 60 * 60)
#define SW_SESSION_MAX_MAX_S          (30 * 24 * 60 * 60)
/* A session's last_seen_at is written at most this often (or a tenth of the
 * idle timeout, if that is shorter), so reads stay reads. */
#define SW_SESSION_TOUCH_S            60
/* Consecutive failed sign-ins that lock an account, and for how long. */
#define SW_LOGIN_MAX_FAILURES         5
#define SW_LOGIN_LOCKOUT_S            (15 * 60)      /* --lockout */
#define SW_LOGIN_LOCKOUT_MAX_S        (24 * 60 * 60)
/* POST /api/session is unauthenticated, so its body gets a small limit. */
#define SW_LOGIN_MAX_BODY_BYTES       4096
/* Password verifications at once: each argon2id run takes 64 MiB. */
#define SW_LOGIN_MAX_CONCURRENT       4
/* The longest session token or CSRF header looked at. */
#define SW_SESSION_MAX_TOKEN_BYTES    64

/* ---- Messages ------------------------------------------------------------ */

#define SW_ERR_MSG_MAX                512

/* ---- HL7 v2 (src/hl7/) ---------------------------------------------------- */

/* One parse: a message, or a whole batch file. Real messages from billing
 * systems run to tens of kilobytes; a batch of a day's charges to a few
 * megabytes. Each figure bounds one level of the message tree. */
#define SW_HL7_MAX_MESSAGE_BYTES      (4 * 1024 * 1024)
#define SW_HL7_MAX_SEGMENTS           2000   /* per parse, envelopes included */
#define SW_HL7_MAX_FIELDS             256    /* per segment */
#define SW_HL7_MAX_REPETITIONS        256    /* per field */
#define SW_HL7_MAX_COMPONENTS         64     /* per repetition */
#define SW_HL7_MAX_SUBCOMPONENTS      64     /* per component */
#define SW_HL7_MAX_MESSAGES           1000   /* per batch */

/* MLLP (src/hl7/mllp.h): per connection memory is one frame, at most
 * SW_HL7_MAX_MESSAGE_BYTES. A PMS keeps one or a few connections open;
 * 64 leaves room for an interface engine's pool. */
#define SW_MLLP_MAX_CONNECTIONS       64
#define SW_MLLP_IDLE_TIMEOUT_S        600    /* no frame started */
#define SW_MLLP_READ_TIMEOUT_S        30     /* a started frame must finish */
#define SW_MLLP_CONNECT_TIMEOUT_MS    5000
#define SW_MLLP_REPLY_TIMEOUT_MS      30000  /* an ACK must come back */
#define SW_MLLP_MAX_PEER_ADDRESSES    16
#define SW_HL7_PEER_RELOAD_MS         5000   /* peer lists re-read this often */

/* The outbox (docs/hl7-interface.md): retries back off exponentially from
 * the first to the last figure; a charge unacknowledged this long, or a peer
 * unreachable this long, raises the interface alert. */
#define SW_HL7_RETRY_FIRST_MS         1000
#define SW_HL7_RETRY_MAX_MS           (5 * 60 * 1000)
#define SW_HL7_ALERT_AFTER_MS         (15 * 60 * 1000)

#endif
