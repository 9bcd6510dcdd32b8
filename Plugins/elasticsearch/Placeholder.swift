// Placeholder: this plugin is being written.
import SluiceSDK
