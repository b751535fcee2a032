/* backup_crypt.c - the backup's key file and its encryption (docs/
 * operations.md "Encryption"): data files go through libsodium's
 * crypto_secretstream_xchacha20poly1305 in 64 KiB chunks, so a file of any
 * size is encrypted in one pass with constant memory, and a truncated,
 * reordered or edited chunk fails to decrypt; the manifest's content is
 * sealed with crypto_secretbox.
 *
 * An encrypted file is "SWBKENC1", the 24-byte stream header, then chunks:
 * a 4-byte big-endian length and that many bytes of ciphertext; the last
 * chunk carries the FINAL tag, so a file cut short is detected. */
#include "store/backup_int.h"

#include "core/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ENC_MAGIC     "SWBKENC1"
#define ENC_MAGIC_LEN 8
#define SS_ABYTES     crypto_secretstream_xchacha20poly1305_ABYTES
#define SS_HEADER     crypto_secretstream_xchacha20poly1305_HEADERBYTES

/* ---- Keys ------------------------------------------------------------------ */

int backup_key_read(const char *path, unsigned char key[BACKUP_KEY_BYTES],
                    sw_err *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return sw_err_set(err, SW_EIO, "the key file %s cannot be read: %s",
                          path, strerror(errno));
    unsigned char buf[200];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (n == BACKUP_KEY_BYTES) {
        memcpy(key, buf, BACKUP_KEY_BYTES);
        sodium_memzero(buf, sizeof buf);
        return SW_OK;
    }
    size_t start = 0, end = n;
    while (start < end && (buf[start] == ' ' || buf[start] == '\t'
                           || buf[start] == '\n' || buf[start] == '\r'))
        start++;
    while (end > start && (buf[end - 1] == ' ' || buf[end - 1] == '\t'
                           || buf[end - 1] == '\n' || buf[end - 1] == '\r'))
        end--;
    size_t got = 0;
    int rc = SW_OK;
    if (end - start != 2 * BACKUP_KEY_BYTES
        || sodium_hex2bin(key, BACKUP_KEY_BYTES, (const char *)buf + start,
                          end - start, NULL, &got, NULL) != 0
        || got != BACKUP_KEY_BYTES)
        rc = sw_err_set(err, SW_EINVAL, "the key file %s must hold 32 bytes, "
                        "raw or as 64 hexadecimal digits (make one with "
                        "`stagewise backup --new-key FILE`)", path);
    sodium_memzero(buf, sizeof buf);
    return rc;
}

int backup_key_new(const char *path, sw_err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return sw_err_set(err, SW_EIO, errno == EEXIST
                          ? "the key file %s already exists; a new key never "
                            "replaces one that backups may need"
                          : "the key file %s cannot be created: %s", path,
                          strerror(errno));
    unsigned char key[BACKUP_KEY_BYTES];
    char hex[2 * BACKUP_KEY_BYTES + 2];
    randombytes_buf(key, sizeof key);
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);
    size_t len = strlen(hex);
    hex[len++] = '\n';
    bool ok = write(fd, hex, len) == (ssize_t)len && fsync(fd) == 0;
    sodium_memzero(key, sizeof key);
    sodium_memzero(hex, sizeof hex);
    if (close(fd) != 0 || !ok) {
        unlink(path);
        return sw_err_set(err, SW_EIO, "the key file %s could not be written",
                          path);
    }
    return SW_OK;
}

/* ---- Writing a data file --------------------------------------------------- */

static int write_all(int fd, const void *p, size_t n)
{
    const unsigned char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static int sink_emit(backup_sink *k, const void *p, size_t n)
{
    if (write_all(k->fd, p, n) != 0)
        return -1;
    crypto_hash_sha256_update(&k->sha, p, n);
    k->size += n;
    return 0;
}

int backup_sink_open(backup_sink *k, const char *path,
                     const unsigned char *key, sw_err *err)
{
    memset(k, 0, sizeof *k);
    k->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (k->fd < 0)
        return sw_err_set(err, SW_EIO, "%s cannot be created: %s", path,
                          strerror(errno));
    snprintf(k->path, sizeof k->path, "%s", path);
    crypto_hash_sha256_init(&k->sha);
    if (key != NULL) {
        unsigned char header[SS_HEADER];
        k->encrypt = true;
        crypto_secretstream_xchacha20poly1305_init_push(&k->st, header, key);
        if (sink_emit(k, ENC_MAGIC, ENC_MAGIC_LEN) != 0
            || sink_emit(k, header, sizeof header) != 0) {
            close(k->fd);
            k->fd = -1;
            return sw_err_set(err, SW_EIO, "%s cannot be written", path);
        }
    }
    return SW_OK;
}

static int push_chunk(backup_sink *k, unsigned char tag)
{
    unsigned char out[4 + BACKUP_CHUNK + SS_ABYTES];
    unsigned long long clen = 0;
    crypto_secretstream_xchacha20poly1305_push(&k->st, out + 4, &clen, k->buf,
                                               k->n, NULL, 0, tag);
    out[0] = (unsigned char)(clen >> 24);
    out[1] = (unsigned char)(clen >> 16);
    out[2] = (unsigned char)(clen >> 8);
    out[3] = (unsigned char)clen;
    k->n = 0;
    return sink_emit(k, out, 4 + (size_t)clen);
}

int backup_sink_write(backup_sink *k, const void *p, size_t n, sw_err *err)
{
    if (!k->encrypt) {
        if (sink_emit(k, p, n) != 0)
            return sw_err_set(err, SW_EIO, "%s cannot be written: %s", k->path,
                              strerror(errno));
        return SW_OK;
    }
    const unsigned char *c = p;
    while (n > 0) {
        size_t take = BACKUP_CHUNK - k->n;
        if (take > n)
            take = n;
        memcpy(k->buf + k->n, c, take);
        k->n += take;
        c += take;
        n -= take;
        if (k->n == BACKUP_CHUNK && push_chunk(k, 0) != 0)
            return sw_err_set(err, SW_EIO, "%s cannot be written: %s", k->path,
                              strerror(errno));
    }
    return SW_OK;
}

int backup_sink_close(backup_sink *k, backup_file *out, sw_err *err)
{
    int rc = SW_OK;
    if (k->encrypt
        && push_chunk(k, crypto_secretstream_xchacha20poly1305_TAG_FINAL) != 0)
        rc = sw_err_set(err, SW_EIO, "%s cannot be written: %s", k->path,
                        strerror(errno));
    if (fsync(k->fd) != 0 && rc == SW_OK)
        rc = sw_err_set(err, SW_EIO, "%s cannot be written: %s", k->path,
                        strerror(errno));
    if (close(k->fd) != 0 && rc == SW_OK)
        rc = sw_err_set(err, SW_EIO, "%s cannot be written", k->path);
    k->fd = -1;
    sodium_memzero(k->buf, sizeof k->buf);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&k->sha, digest);
    if (out != NULL) {
        const char *slash = strrchr(k->path, '/');
        const char *base = slash ? slash + 1 : k->path;
        if ((size_t)snprintf(out->name, sizeof out->name, "%s", base)
            >= sizeof out->name)
            rc = sw_err_set(err, SW_EINTERNAL, "the file name %s is too long",
                            base);
        out->size = k->size;
        sodium_bin2hex(out->sha256, sizeof out->sha256, digest, sizeof digest);
    }
    return rc;
}

void backup_sink_abort(backup_sink *k)
{
    if (k->fd >= 0) {
        close(k->fd);
        k->fd = -1;
    }
    unlink(k->path);
}

int backup_encrypt_file(const char *from, const char *to,
                        const unsigned char *key, backup_file *out, sw_err *err)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return sw_err_set(err, SW_EIO, "%s cannot be read: %s", from,
                          strerror(errno));
    backup_sink k;
    int rc = backup_sink_open(&k, to, key, err);
    if (rc != SW_OK) {
        close(in);
        return rc;
    }
    static unsigned char buf[BACKUP_CHUNK];
    for (;;) {
        ssize_t r = read(in, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = sw_err_set(err, SW_EIO, "%s cannot be read: %s", from,
                            strerror(errno));
            break;
        }
        if (r == 0)
            break;
        rc = backup_sink_write(&k, buf, (size_t)r, err);
        if (rc != SW_OK)
            break;
    }
    close(in);
    if (rc != SW_OK) {
        backup_sink_abort(&k);
        return rc;
    }
    return backup_sink_close(&k, out, err);
}

/* ---- Reading a data file back ---------------------------------------------- */

static int read_full(int fd, void *p, size_t n)
{
    unsigned char *c = p;
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, c + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (int)got == (int)n ? 1 : (got == 0 ? 0 : -1);
}

int backup_decrypt_to(const char *from, int out_fd, const unsigned char *key,
                      const char *name, sw_err *err)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return sw_err_set(err, SW_EIO, "%s cannot be read: %s", from,
                          strerror(errno));
    static unsigned char cbuf[BACKUP_CHUNK + SS_ABYTES];
    static unsigned char pbuf[BACKUP_CHUNK];
    int rc = SW_OK;
    if (key == NULL) {
        for (;;) {
            ssize_t r = read(in, pbuf, sizeof pbuf);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                if (r < 0)
                    rc = sw_err_set(err, SW_EIO, "%s cannot be read", from);
                break;
            }
            if (write_all(out_fd, pbuf, (size_t)r) != 0) {
                rc = sw_err_set(err, SW_EIO, "the restored copy of %s cannot "
                                "be written: %s", name, strerror(errno));
                break;
            }
        }
        close(in);
        return rc;
    }
    unsigned char magic[ENC_MAGIC_LEN], header[SS_HEADER];
    crypto_secretstream_xchacha20poly1305_state st;
    if (read_full(in, magic, sizeof magic) != 1
        || memcmp(magic, ENC_MAGIC, ENC_MAGIC_LEN) != 0
        || read_full(in, header, sizeof header) != 1) {
        close(in);
        return sw_err_set(err, SW_EINVAL, "the backup file %s is not an "
                          "encrypted backup file", name);
    }
    if (crypto_secretstream_xchacha20poly1305_init_pull(&st, header, key) != 0) {
        close(in);
        return sw_err_set(err, SW_EINVAL, "the key does not decrypt this backup");
    }
    bool final = false;
    while (!final) {
        unsigned char len4[4];
        int got = read_full(in, len4, 4);
        if (got != 1) {
            rc = sw_err_set(err, SW_EINVAL, "the backup file %s ends before its "
                            "last chunk; it was cut short", name);
            break;
        }
        size_t clen = (size_t)len4[0] << 24 | (size_t)len4[1] << 16
                      | (size_t)len4[2] << 8 | len4[3];
        if (clen < SS_ABYTES || clen > sizeof cbuf
            || read_full(in, cbuf, clen) != 1) {
            rc = sw_err_set(err, SW_EINVAL, "the backup file %s is damaged", name);
            break;
        }
        unsigned long long plen = 0;
        unsigned char tag = 0;
        if (crypto_secretstream_xchacha20poly1305_pull(&st, pbuf, &plen, &tag,
                                                       cbuf, clen, NULL, 0) != 0) {
            rc = sw_err_set(err, SW_EINVAL, "the key does not decrypt this "
                            "backup (file %s)", name);
            break;
        }
        final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
        if (write_all(out_fd, pbuf, (size_t)plen) != 0) {
            rc = sw_err_set(err, SW_EIO, "the restored copy of %s cannot be "
                            "written: %s", name, strerror(errno));
            break;
        }
    }
    if (rc == SW_OK && read(in, cbuf, 1) != 0)
        rc = sw_err_set(err, SW_EINVAL, "the backup file %s has data after its "
                        "last chunk", name);
    sodium_memzero(pbuf, sizeof pbuf);
    close(in);
    return rc;
}

/* ---- The manifest's sealed content ----------------------------------------- */

char *backup_seal(const char *text, const unsigned char *key)
{
    size_t n = strlen(text);
    size_t blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
    unsigned char *box = sw_malloc(blen);
    char *hex = sw_malloc(2 * blen + 1);
    if (box == NULL || hex == NULL) {
        sw_free(box);
        sw_free(hex);
        return NULL;
    }
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES,
                          (const unsigned char *)text, n, box, key);
    sodium_bin2hex(hex, 2 * blen + 1, box, blen);
    sw_free(box);
    return hex;
}

char *backup_unseal(const char *hex, const unsigned char *key, sw_err *err)
{
    size_t hlen = strlen(hex), blen = hlen / 2, got = 0;
    unsigned char *box = sw_malloc(blen + 1);
    if (box == NULL) {
        sw_err_set(err, SW_ENOMEM, NULL);
        return NULL;
    }
    if (sodium_hex2bin(box, blen, hex, hlen, NULL, &got, NULL) != 0
        || got < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
        sw_free(box);
        sw_err_set(err, SW_EINVAL, "the backup's manifest is damaged: its "
                   "sealed content is not readable");
        return NULL;
    }
    size_t plen = got - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    char *text = sw_malloc(plen + 1);
    if (text == NULL
        || crypto_secretbox_open_easy((unsigned char *)text,
                                      box + crypto_secretbox_NONCEBYTES,
                                      got - crypto_secretbox_NONCEBYTES, box,
                                      key) != 0) {
        sw_free(box);
        sw_free(text);
        sw_err_set(err, SW_EINVAL, "the key does not decrypt this backup");
        return NULL;
    }
    text[plen] = '\0';
    sw_free(box);
    return text;
}
