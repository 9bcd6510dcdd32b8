import Logging
import Metrics
import Yams
import Crypto
import ServiceLifecycle
import CSluicePlugin
