// Placeholder: the admin API lands with issue #9.
import SluiceHost
