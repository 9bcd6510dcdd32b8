// librdkafka for Swift. The variadic rd_kafka_producev cannot be called from
// Swift; use rd_kafka_produceva (array form) instead.
#include <librdkafka/rdkafka.h>
