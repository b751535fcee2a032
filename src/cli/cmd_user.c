/* cmd_user.c - `stagewise user`: an operator's account management at the
 * command line, the same rules as /api/users (src/auth/users.c,
 * api_token.c). Every change is audited with the operator as actor
 * ("cli:<login>"). Passwords never come from the command line, where other
 * users of the machine and the shell history would see them: they are
 * read from standard input (--password-stdin) or typed at a prompt that
 * does not echo. */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "audit/audit.h"
#include "auth/api_token.h"
#include "auth/password.h"
#include "auth/roles.h"
#include "auth/session.h"
#include "auth/users.h"
#include "core/arena.h"
#include "core/limits.h"
#include "store/store.h"

static const char usage[] =
    "Usage: stagewise user SUBCOMMAND [options]\n"
    "\n"
    "Manages the accounts of a practice. Every change is recorded in the\n"
    "audit trail.\n"
    "\n"
    "  add USERNAME --name NAME --role ROLE[,ROLE…] [--practitioner ID]\n"
    "                        add a person; the password is asked for\n"
    "  add USERNAME --name NAME --role ROLE[,ROLE…] --service --scope SCOPE\n"
    "                        add a service account (no password; API tokens)\n"
    "  list                  every account: id, username, name, roles, kind,\n"
    "                        disabled\n"
    "  disable USERNAME      disable; ends its sessions and API tokens at once\n"
    "  enable USERNAME       enable again\n"
    "  set-role USERNAME ROLE[,ROLE…]\n"
    "                        replace the account's roles\n"
    "  reset-password USERNAME\n"
    "                        set a new password; ends its sessions\n"
    "  token USERNAME        create an API token for a service account and\n"
    "                        print it (shown only this once)\n"
    "  revoke-token USERNAME (--id ID | --all)\n"
    "                        revoke one API token, or all of them\n"
    "\n"
    "  --db URL              sqlite:PATH or postgresql://… (default:\n"
    "                        $STAGEWISE_DB, else sqlite:stagewise.db)\n"
    "  --practice N          the practice (default 1)\n"
    "  --password-stdin      read the password from the first line of\n"
    "                        standard input instead of prompting\n"
    "\n"
    "Roles: physician, advanced_practice, nurse, medical_assistant,\n"
    "front_desk, biller, practice_admin, implementation_lead.\n"
    "A scope is comma-separated area:action items, such as\n"
    "demographics:write,scheduling:write,billing:read.\n"
    "Passwords are 12 to 128 characters and not a common password.\n";

/* Options, and which subcommands take them. */
enum {
    O_NAME = 1 << 0, O_ROLE = 1 << 1, O_PRACTITIONER = 1 << 2,
    O_SERVICE = 1 << 3, O_SCOPE = 1 << 4, O_STDIN = 1 << 5, O_ID = 1 << 6,
    O_ALL = 1 << 7,
};

struct args {
    const char *sub;
    const char *db;
    int64_t     practice_id;
    const char *name, *roles, *practitioner, *scope, *id;
    bool        service, password_stdin, all;
    unsigned    given;          /* O_* seen */
    char      **pos;            /* positional arguments after SUBCOMMAND */
    int         npos;
};

/* What every subcommand gets: the parsed arguments, the open store, the
 * operator as audit actor, an arena for rows read. */
struct call {
    const struct args *a;
    sw_store          *store;
    audit_who          who;
    sw_arena          *arena;
};

/* A failure of the account code: bad input is a usage error (2), the
 * rest (no such user, a conflict, the database) a runtime failure (1). */
static int failed(const struct call *c, int rc, const sw_err *err)
{
    return cli_fail(rc == SW_EINVAL ? SW_EUSAGE : rc, "user %s: %s", c->a->sub,
                    sw_err_text(err));
}

static int find_user(struct call *c, const char *username, auth_user *u)
{
    sw_err err;
    int rc = auth_user_find(c->store, c->arena, c->a->practice_id, username, u,
                            &err);
    return rc == SW_OK ? 0 : failed(c, rc, &err);
}

/* ---- Passwords ----------------------------------------------------------- */

/* One line of standard input without its line end; false at end of input.
 * *too_long when the line did not fit. */
static bool read_line(char *buf, size_t cap, bool *too_long)
{
    *too_long = false;
    if (fgets(buf, (int)cap, stdin) == NULL)
        return false;
    size_t n = strlen(buf);
    if (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (n == cap - 1 && !feof(stdin))
        *too_long = true;
    if (n && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return true;
}

static bool prompt_hidden(const char *prompt, char *buf, size_t cap,
                          bool *too_long)
{
    struct termios old, quiet;
    bool restore = tcgetattr(STDIN_FILENO, &old) == 0;
    if (restore) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    fputs(prompt, stderr);
    fflush(stderr);
    bool ok = read_line(buf, cap, too_long);
    if (restore)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fputc('\n', stderr);
    return ok;
}

/* 4 bytes per character is the most UTF-8 needs, plus the line end. */
#define PW_CAP (4 * SW_MAX_PASSWORD_CHARS + 3)

/* Gets the new password of username into pw (PW_CAP bytes). 0, or the
 * exit status after saying why. */
static int get_password(const struct call *c, const char *username, char *pw)
{
    bool too_long = false;
    if (c->a->password_stdin) {
        if (!read_line(pw, PW_CAP, &too_long))
            return cli_fail(SW_EUSAGE, "user %s: --password-stdin was given "
                            "but standard input is empty", c->a->sub);
    } else if (isatty(STDIN_FILENO)) {
        char again[PW_CAP];
        char prompt[128];
        snprintf(prompt, sizeof prompt, "New password for %s: ", username);
        bool ok = prompt_hidden(prompt, pw, PW_CAP, &too_long)
               && prompt_hidden("Type it again: ", again, sizeof again,
                                &too_long);
        bool same = ok && strcmp(pw, again) == 0;
        sodium_memzero(again, sizeof again);
        if (!ok)
            return cli_fail(SW_EUSAGE, "user %s: no password was typed",
                            c->a->sub);
        if (!same && !too_long)
            return cli_fail(SW_EUSAGE, "user %s: the two passwords differ; "
                            "nothing was changed", c->a->sub);
    } else {
        return cli_fail(SW_EUSAGE, "user %s: give the password on standard "
                        "input with --password-stdin, or run this in a "
                        "terminal to be asked for it", c->a->sub);
    }
    if (too_long)
        return cli_fail(SW_EUSAGE, "user %s: a password is at most %d "
                        "characters", c->a->sub, SW_MAX_PASSWORD_CHARS);
    sw_err err;
    if (auth_password_check(pw, &err) != SW_OK)
        return cli_fail(SW_EUSAGE, "user %s: the password is not acceptable: "
                        "%s", c->a->sub, sw_err_text(&err));
    return 0;
}

/* ---- Subcommands --------------------------------------------------------- */

static int cmd_add(struct call *c)
{
    const struct args *a = c->a;
    if (a->name == NULL || a->roles == NULL)
        return cli_fail(SW_EUSAGE, "user add: --name and --role are required; "
                        "see 'stagewise user --help'");
    if (a->scope && !a->service)
        return cli_fail(SW_EUSAGE, "user add: --scope is for service accounts; "
                        "add --service");
    if (a->service && (a->password_stdin || a->practitioner))
        return cli_fail(SW_EUSAGE, "user add: a service account has no "
                        "password and no Practitioner");
    auth_account_spec sp = {
        .username = a->pos[0], .display_name = a->name, .roles = a->roles,
        .practitioner_id = a->practitioner, .service = a->service,
        .scope = a->scope,
    };
    sw_err err;
    /* Check what can be checked before asking for a password. */
    int rc = auth_username_check(sp.username, &err);
    if (rc == SW_OK)
        rc = auth_display_name_check(sp.display_name, &err);
    if (rc == SW_OK)
        rc = auth_roles_check(sp.roles, &err);
    if (rc == SW_OK && sp.service)
        rc = auth_scope_check(sp.scope, &err);
    if (rc != SW_OK)
        return failed(c, rc, &err);
    char pw[PW_CAP] = "";
    if (!sp.service) {
        int status = get_password(c, sp.username, pw);
        if (status != 0)
            return status;
        sp.password = pw;
    }
    int64_t id = 0;
    rc = auth_account_create(c->store, &c->who, &sp, &id, &err);
    sodium_memzero(pw, sizeof pw);
    if (rc != SW_OK)
        return failed(c, rc, &err);
    if (sp.service)
        printf("Service account %s added (id %" PRId64 ", %s; scope %s).\n"
               "Create its API token with 'stagewise user token %s'.\n",
               sp.username, id, sp.roles, sp.scope, sp.username);
    else
        printf("User %s added (id %" PRId64 ", %s).\n", sp.username, id,
               sp.roles);
    return 0;
}

static int width(int w, const char *s)
{
    int n = (int)strlen(s);
    return n > w ? n : w;
}

static int cmd_list(struct call *c)
{
    auth_user *u;
    size_t n;
    sw_err err;
    int rc = auth_user_list(c->store, c->arena, c->a->practice_id, &u, &n,
                            &err);
    if (rc != SW_OK)
        return failed(c, rc, &err);
    int wu = 8, wn = 4, wr = 5;
    for (size_t i = 0; i < n; i++) {
        wu = width(wu, u[i].username);
        wn = width(wn, u[i].display_name);
        wr = width(wr, u[i].roles);
    }
    printf("%-4s  %-*s  %-*s  %-*s  %-7s  %s\n", "ID", wu, "USERNAME", wn,
           "NAME", wr, "ROLES", "KIND", "DISABLED");
    for (size_t i = 0; i < n; i++)
        printf("%-4" PRId64 "  %-*s  %-*s  %-*s  %-7s  %s\n", u[i].user_id,
               wu, u[i].username, wn, u[i].display_name, wr, u[i].roles,
               u[i].kind, u[i].disabled ? "yes" : "no");
    return 0;
}

static int set_disabled(struct call *c, bool disabled)
{
    auth_user u;
    int status = find_user(c, c->a->pos[0], &u);
    if (status != 0)
        return status;
    sw_err err;
    int rc = auth_account_set_disabled(c->store, &c->who, u.user_id, disabled,
                                       &err);
    if (rc != SW_OK)
        return failed(c, rc, &err);
    if (disabled)
        printf("User %s disabled; its sessions and API tokens are revoked.\n",
               u.username);
    else
        printf("User %s enabled.\n", u.username);
    return 0;
}

static int cmd_disable(struct call *c)
{
    return set_disabled(c, true);
}

static int cmd_enable(struct call *c)
{
    return set_disabled(c, false);
}

static int cmd_set_role(struct call *c)
{
    auth_user u;
    sw_err err;
    int rc = auth_roles_check(c->a->pos[1], &err);
    if (rc != SW_OK)
        return failed(c, rc, &err);
    int status = find_user(c, c->a->pos[0], &u);
    if (status != 0)
        return status;
    auth_account_patch p = { .roles = c->a->pos[1] };
    rc = auth_account_update(c->store, &c->who, u.user_id, &p, &err);
    if (rc != SW_OK)
        return failed(c, rc, &err);
    printf("User %s: roles %s (were %s).\n", u.username, c->a->pos[1], u.roles);
    return 0;
}

static int cmd_reset_password(struct call *c)
{
    auth_user u;
    int status = find_user(c, c->a->pos[0], &u);
    if (status != 0)
        return status;
    if (strcmp(u.kind, AUTH_KIND_SERVICE) == 0)
        return cli_fail(SW_EUSAGE, "user reset-password: %s is a service "
                        "account; it has no password (use 'stagewise user "
                        "token')", u.username);
    char pw[PW_CAP] = "";
    status = get_password(c, u.username, pw);
    if (status != 0)
        return status;
    sw_err err;
    int rc = auth_account_set_password(c->store, &c->who, u.user_id, pw, &err);
    sodium_memzero(pw, sizeof pw);
    if (rc != SW_OK)
        return failed(c, rc, &err);
    printf("Password of %s reset; its sessions are ended.\n", u.username);
    return 0;
}

static int cmd_token(struct call *c)
{
    auth_user u;
    int status = find_user(c, c->a->pos[0], &u);
    if (status != 0)
        return status;
    char token[AUTH_API_TOKEN_TEXT];
    int64_t id = 0;
    sw_err err;
    int rc = auth_api_token_create(c->store, &c->who, u.user_id, token, &id,
                                   &err);
    if (rc != SW_OK)
        return failed(c, rc, &err);
    /* The token alone on standard output, so a script can capture it; the
     * explanation on standard error. */
    printf("%s\n", token);
    fflush(stdout);
    sodium_memzero(token, sizeof token);
    fprintf(stderr, "API token %" PRId64 " created for %s; it is shown only "
            "this once. Send it as 'Authorization: Bearer TOKEN'.\n", id,
            u.username);
    return 0;
}

static int cmd_revoke_token(struct call *c)
{
    const struct args *a = c->a;
    long id = 0;
    if ((a->id == NULL) == !a->all)
        return cli_fail(SW_EUSAGE, "user revoke-token: give either --id ID "
                        "(see GET /api/users/{id}) or --all");
    if (a->id && cli_parse_int(a->id, 1, INT64_MAX, &id) != SW_OK)
        return cli_fail(SW_EUSAGE, "user revoke-token: --id must be a token "
                        "id (a positive whole number)");
    auth_user u;
    int status = find_user(c, a->pos[0], &u);
    if (status != 0)
        return status;
    int64_t n = 0;
    sw_err err;
    int rc = auth_api_token_revoke(c->store, &c->who, u.user_id, id, &n, &err);
    if (rc != SW_OK)
        return failed(c, rc, &err);
    printf("Revoked %" PRId64 " API token%s of %s.\n", n, n == 1 ? "" : "s",
           u.username);
    return 0;
}

static const struct subcommand {
    const char *name;
    int (*run)(struct call *c);
    int         npos;           /* positional arguments */
    const char *pos_usage;
    unsigned    options;        /* O_* it accepts */
} subcommands[] = {
    { "add", cmd_add, 1, "USERNAME",
      O_NAME | O_ROLE | O_PRACTITIONER | O_SERVICE | O_SCOPE | O_STDIN },
    { "list", cmd_list, 0, "", 0 },
    { "disable", cmd_disable, 1, "USERNAME", 0 },
    { "enable", cmd_enable, 1, "USERNAME", 0 },
    { "set-role", cmd_set_role, 2, "USERNAME ROLE[,ROLE…]", 0 },
    { "reset-password", cmd_reset_password, 1, "USERNAME", O_STDIN },
    { "token", cmd_token, 1, "USERNAME", 0 },
    { "revoke-token", cmd_revoke_token, 1, "USERNAME", O_ID | O_ALL },
};
#define NSUB (sizeof subcommands / sizeof subcommands[0])

static const struct option opts[] = {
    { "db", required_argument, NULL, 'd' },
    { "practice", required_argument, NULL, 'p' },
    { "name", required_argument, NULL, 'n' },
    { "role", required_argument, NULL, 'r' },
    { "practitioner", required_argument, NULL, 'P' },
    { "service", no_argument, NULL, 's' },
    { "scope", required_argument, NULL, 'S' },
    { "password-stdin", no_argument, NULL, 'i' },
    { "id", required_argument, NULL, 'I' },
    { "all", no_argument, NULL, 'a' },
    { 0, 0, 0, 0 },
};

/* Parses argv (argv[0] is the subcommand) into *a; 0 or an exit status. */
static int parse(int argc, char **argv, const struct subcommand *sc,
                 struct args *a)
{
    long practice = 1;
    opterr = 0;
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        unsigned bit = 0;
        switch (ch) {
        case 'd': a->db = optarg; continue;
        case 'p':
            if (cli_parse_int(optarg, 1, AUTH_MAX_PRACTICE_ID, &practice)
                != SW_OK)
                return cli_fail(SW_EUSAGE, "user %s: --practice must be a "
                                "practice number (a positive whole number)",
                                a->sub);
            continue;
        case 'n': bit = O_NAME; a->name = optarg; break;
        case 'r': bit = O_ROLE; a->roles = optarg; break;
        case 'P': bit = O_PRACTITIONER; a->practitioner = optarg; break;
        case 's': bit = O_SERVICE; a->service = true; break;
        case 'S': bit = O_SCOPE; a->scope = optarg; break;
        case 'i': bit = O_STDIN; a->password_stdin = true; break;
        case 'I': bit = O_ID; a->id = optarg; break;
        case 'a': bit = O_ALL; a->all = true; break;
        default:  return cli_bad_option("user", argc, argv);
        }
        if (!(sc->options & bit))
            return cli_fail(SW_EUSAGE, "user %s: '%s' is not an option of this "
                            "subcommand; see 'stagewise user --help'", a->sub,
                            argv[optind - 1]);
        a->given |= bit;
    }
    a->practice_id = practice;
    a->pos = argv + optind;
    a->npos = argc - optind;
    if (a->npos != sc->npos)
        return cli_fail(SW_EUSAGE, "user %s takes %s%s; see 'stagewise user "
                        "--help'", a->sub, sc->npos ? "" : "no arguments",
                        sc->pos_usage);
    return 0;
}

static int run(int argc, char **argv)
{
    if (argc < 2)
        return cli_fail(SW_EUSAGE, "user: name a subcommand (add, list, "
                        "disable, enable, set-role, reset-password, token, "
                        "revoke-token); see 'stagewise user --help'");
    const struct subcommand *sc = NULL;
    for (size_t i = 0; i < NSUB && sc == NULL; i++)
        if (strcmp(argv[1], subcommands[i].name) == 0)
            sc = &subcommands[i];
    if (sc == NULL)
        return cli_fail(SW_EUSAGE, "user: unknown subcommand '%s'; see "
                        "'stagewise user --help'", argv[1]);
    struct args a = { .sub = sc->name };
    int status = parse(argc - 1, argv + 1, sc, &a);
    if (status != 0)
        return status;

    struct call c = { .a = &a };
    status = cli_open_store(a.db, 1, &c.store);
    if (status != 0)
        return status;
    c.arena = sw_arena_create(0);
    if (c.arena == NULL) {
        store_close(c.store);
        return cli_fail(SW_ENOMEM, "user: out of memory");
    }
    audit_cli_who(&c.who, a.practice_id);
    status = sc->run(&c);
    sw_arena_destroy(c.arena);
    store_close(c.store);
    return status;
}

const cli_command cli_user = {
    .name = "user",
    .summary = "add, list, disable and change user accounts; API tokens",
    .usage = usage,
    .run = run,
};
