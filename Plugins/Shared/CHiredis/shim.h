// hiredis for Swift. redisCommand is variadic: use redisCommandArgv and
// redisAppendCommandArgv, which take argument arrays.
#include <hiredis/hiredis.h>
