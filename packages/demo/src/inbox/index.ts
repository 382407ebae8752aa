/** The notification inbox: receivers for Watchkeeper's notifiers and a page that shows what arrived. */
export { INBOX_MAX_BYTES, NotificationInboxServer, startInbox, type InboxServerOptions } from './inbox-server.js';
export {
  NOTIFICATION_KINDS,
  NotificationInbox,
  type InboxNotification,
  type NotificationKind,
  type NotificationStatus,
} from './inbox.js';
