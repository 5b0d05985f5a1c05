/** Names of what main saves for post (GITHUB_STATE in main, STATE_<name> in post). @module */
/** "true" once a knock was sent. */
export const STATE_SENT = 'sent';
/** The addresses the open request named, comma-separated; empty for the packet's source address. */
export const STATE_ADDRESSES = 'addresses';
