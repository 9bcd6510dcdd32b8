/*
 * decoding.cc — the decoding benchmark agent: decodes every record's value,
 * a feed activity {"user","message","timestamp"}, into a struct of three
 * std::string fields with RapidJSON, as S11's typed Swift agent decodes it
 * into `struct Activity { user, message, timestamp: String }`, and finishes
 * it with OK; a value that does not decode goes to the dead-letter topic
 * with a reason naming the field. The anchor of S11 that does the typed
 * agent's work in native code (the no-op agent does none), so the two
 * compare on memory://, where the no-op agent costs almost nothing.
 *
 * Written as a careful C++ programmer would: one parser per thread reused
 * from record to record (RapidJSON's memory pools over fixed buffers, so a
 * parse allocates nothing), RapidJSON's SSE2 string scan, and the three
 * strings copied out of the parsed value (each over 15 bytes, so on the
 * heap, as Swift's are). It does not validate UTF-8, where Swift's strings
 * are validated: that RapidJSON option reads byte by byte and took about
 * twice as long per record here, so the anchor errs in C++'s favour. RapidJSON is the
 * rapidjson-dev package that tools/setup installs (header-only).
 *
 * Build: c++ -std=c++20 -O2 -shared -fPIC -I PluginAPI/include tools/bench/decoding.cc -o decoding.so
 *        [-DAGENT_NAME='"decoding"'] [-DAGENT_TOPIC='"bench"']
 */
#include <cstddef>
#include <cstdio>
#include <string>

#if defined(__SSE2__)
#define RAPIDJSON_SSE2
#endif
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "sluice_plugin_helpers.h"

#ifndef AGENT_NAME
#define AGENT_NAME "decoding"
#endif
#ifndef AGENT_TOPIC
#define AGENT_TOPIC "bench"
#endif

namespace {

struct Activity {
    std::string user;
    std::string message;
    std::string timestamp;
};

struct DecodingAgent {
    const sluice_host_api *api;
    sluice_host *host;
};

/// A RapidJSON document whose values and parse stack live in fixed buffers:
/// cleared before each parse, it allocates nothing for a record of this size.
class ReusedParser {
public:
    using Pool = rapidjson::MemoryPoolAllocator<>;
    using Document = rapidjson::GenericDocument<rapidjson::UTF8<>, Pool, Pool>;

    const Document &parse(const uint8_t *text, size_t length) {
        // Both pools start over: a parse takes its stacks from the pool and
        // gives nothing back (RapidJSON frees only with an allocator that needs it).
        values_.Clear();
        stack_.Clear();
        document_.Parse<rapidjson::kParseDefaultFlags>(reinterpret_cast<const char *>(text), length);
        return document_;
    }

private:
    char valueBuffer_[8192];
    char stackBuffer_[4096];
    Pool values_{valueBuffer_, sizeof valueBuffer_};
    Pool stack_{stackBuffer_, sizeof stackBuffer_};
    Document document_{&values_, 1024, &stack_};
};

/// Partitions run on several host threads at once: one parser each.
thread_local ReusedParser parser;

/// Reads string field `name` of `object` into `out`; otherwise writes why into `reason`.
bool readString(const rapidjson::Value &object, const char *name, std::string &out, std::string &reason) {
    const auto member = object.FindMember(name);
    if (member == object.MemberEnd()) {
        reason = std::string("missing key '") + name + "'";
        return false;
    }
    if (!member->value.IsString()) {
        reason = std::string("key '") + name + "': expected a string";
        return false;
    }
    out.assign(member->value.GetString(), member->value.GetStringLength());
    return true;
}

/// Decodes one value; on failure, `reason` says why.
bool decode(const sluice_message &message, Activity &activity, std::string &reason) {
    if (message.value == nullptr) {
        reason = "null value";
        return false;
    }
    const auto &document = parser.parse(message.value, message.value_len);
    if (document.HasParseError()) {
        char where[64];
        std::snprintf(where, sizeof where, "invalid JSON value at byte %zu: ", document.GetErrorOffset());
        reason = std::string(where) + rapidjson::GetParseError_En(document.GetParseError());
        return false;
    }
    if (!document.IsObject()) {
        reason = "invalid JSON value: expected an object";
        return false;
    }
    return readString(document, "user", activity.user, reason)
        && readString(document, "message", activity.message, reason)
        && readString(document, "timestamp", activity.timestamp, reason);
}

int decodingCreate(const sluice_host_api *api, sluice_host *host, const char *, size_t, void **instance, char *,
                   size_t) {
    *instance = new DecodingAgent{api, host};
    return SLUICE_STATUS_OK;
}

int decodingOnBatch(void *instance, sluice_batch *batch) {
    const auto *agent = static_cast<DecodingAgent *>(instance);
    std::string reason;
    for (size_t index = 0; index < batch->count; index++) {
        // A new value per record, as the typed agent's `Record<Activity>` is.
        Activity activity;
        if (decode(batch->messages[index], activity, reason)) {
            // The agent's work would read the fields: keep the compiler from dropping them.
            asm volatile("" : : "r"(activity.user.data()), "r"(activity.message.data()), "r"(activity.timestamp.data())
                         : "memory");
            batch->results[index] = SLUICE_RESULT_OK;
        } else {
            batch->results[index] = SLUICE_RESULT_DLQ;
            agent->api->set_error(agent->host, batch->id, index, reason.data(), reason.size());
        }
    }
    return SLUICE_BATCH_DONE;
}

void decodingDestroy(void *instance) { delete static_cast<DecodingAgent *>(instance); }

const char *const decodingTopics[] = {AGENT_TOPIC, nullptr};

const sluice_plugin_descriptor decodingDescriptor = {
    SLUICE_DESCRIPTOR_FIELDS,
    .name = AGENT_NAME,
    .version = "1.0.0",
    .description = "Benchmark agent: decodes each feed activity with RapidJSON",
    .topics = decodingTopics,
    .capabilities = SLUICE_CAP_STATELESS,
    .config_schema = nullptr,
    .validate_config = nullptr,
    .create = decodingCreate,
    .open = nullptr,
    .on_batch = decodingOnBatch,
    .flush = nullptr,
    .close = nullptr,
    .destroy = decodingDestroy,
};

} // namespace

SLUICE_DEFINE_ENTRY(decodingDescriptor)
