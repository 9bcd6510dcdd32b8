/*
 * curl_anchor.c — the S5 anchor: a plain libcurl client that POSTs the given
 * bodies to one URL over CONNECTIONS keep-alive connections (multi interface,
 * at most CONNECTIONS requests in flight, one per connection), with the
 * request headers of the plugins' shared client that matter on the wire
 * (Content-Type; no `Expect: 100-continue` round trip before large bodies).
 *
 *   curl_anchor URL CONTENT_TYPE CONNECTIONS BODIES_FILE [SEPARATOR]
 *
 * BODIES_FILE holds the bodies separated by SEPARATOR (default: one empty
 * line, "\n\n"; NDJSON bodies, which end in a newline, use another, e.g.
 * the ASCII record separator 0x1E, which JSON text never contains).
 * Prints: requests=N seconds=S connections_opened=C (the sum of
 * CURLINFO_NUM_CONNECTS). Exit status 1 if any request failed or answered
 * outside 2xx.
 *
 * Build: cc -O2 curl_anchor.c -o curl_anchor $(pkg-config --cflags --libs libcurl)
 */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

static size_t discard(char *data, size_t size, size_t count, void *user) {
    (void)data; (void)user;
    return size * count;
}

static char *read_file(const char *path, size_t *length) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) { perror(path); exit(1); }
    fseek(file, 0, SEEK_END);
    *length = (size_t)ftell(file);
    fseek(file, 0, SEEK_SET);
    char *text = malloc(*length + 1);
    if (fread(text, 1, *length, file) != *length) { perror(path); exit(1); }
    text[*length] = '\0';
    fclose(file);
    return text;
}

int main(int argc, char **argv) {
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: curl_anchor URL CONTENT_TYPE CONNECTIONS BODIES_FILE [SEPARATOR]\n");
        return 1;
    }
    const char *separator = argc == 6 ? argv[5] : "\n\n";
    size_t separator_length = strlen(separator);
    if (separator_length == 0) { fprintf(stderr, "curl_anchor: empty SEPARATOR\n"); return 1; }
    int connections = atoi(argv[3]);
    size_t length;
    char *text = read_file(argv[4], &length);
    /* Split into bodies at the separator. */
    size_t capacity = 1024, count = 0;
    char **bodies = malloc(capacity * sizeof *bodies);
    size_t *sizes = malloc(capacity * sizeof *sizes);
    for (char *start = text; start < text + length;) {
        char *end = memmem(start, (size_t)(text + length - start), separator, separator_length);
        if (end == NULL) end = text + length;
        if (count == capacity) {
            capacity *= 2;
            bodies = realloc(bodies, capacity * sizeof *bodies);
            sizes = realloc(sizes, capacity * sizeof *sizes);
        }
        bodies[count] = start;
        sizes[count++] = (size_t)(end - start);
        start = end + separator_length;
    }

    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)connections);
    char content_type[256];
    snprintf(content_type, sizeof content_type, "Content-Type: %s", argv[2]);
    struct curl_slist *headers = curl_slist_append(NULL, content_type);
    headers = curl_slist_append(headers, "Expect:");
    CURL **handles = calloc((size_t)connections, sizeof *handles);
    size_t next = 0, done = 0;
    int failed = 0;
    long opened = 0;

    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < connections && next < count; i++) {
        handles[i] = curl_easy_init();
        curl_easy_setopt(handles[i], CURLOPT_URL, argv[1]);
        curl_easy_setopt(handles[i], CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(handles[i], CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(handles[i], CURLOPT_POSTFIELDS, bodies[next]);
        curl_easy_setopt(handles[i], CURLOPT_POSTFIELDSIZE, (long)sizes[next]);
        next++;
        curl_multi_add_handle(multi, handles[i]);
    }
    while (done < count) {
        int running;
        curl_multi_perform(multi, &running);
        CURLMsg *message;
        int queued;
        while ((message = curl_multi_info_read(multi, &queued)) != NULL) {
            if (message->msg != CURLMSG_DONE) continue;
            CURL *handle = message->easy_handle;
            long status = 0, connects = 0;
            curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
            curl_easy_getinfo(handle, CURLINFO_NUM_CONNECTS, &connects);
            opened += connects;
            if (message->data.result != CURLE_OK || status < 200 || status > 299) {
                if (failed++ == 0)
                    fprintf(stderr, "curl_anchor: %s, HTTP %ld\n", curl_easy_strerror(message->data.result), status);
            }
            done++;
            curl_multi_remove_handle(multi, handle);
            if (next < count) {
                curl_easy_setopt(handle, CURLOPT_POSTFIELDS, bodies[next]);
                curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE, (long)sizes[next]);
                next++;
                curl_multi_add_handle(multi, handle);
            }
        }
        if (done < count) curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    printf("requests=%zu seconds=%.6f connections_opened=%ld\n", count,
           (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9, opened);
    for (int i = 0; i < connections; i++) if (handles[i]) curl_easy_cleanup(handles[i]);
    curl_slist_free_all(headers);
    curl_multi_cleanup(multi);
    curl_global_cleanup();
    free(bodies); free(sizes); free(text);
    return failed ? 1 : 0;
}
