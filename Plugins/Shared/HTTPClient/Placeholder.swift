// Placeholder: the shared HTTP client lands with issue #6.
import CCurl
