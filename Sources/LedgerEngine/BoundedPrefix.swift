/// How many of the oldest items of a queue to take: at least one, then as
/// many more as keep the total events and bytes within the limits. Both the
/// append queue (a group for the writer) and the commit handoff (a commit's
/// jobs) take their work this way.
struct BoundedPrefix {
    var count = 0
    var events = 0
    var bytes = 0

    init<Item>(of items: [Item], eventsMax: Int, bytesMax: Int, events eventsOf: (Item) -> Int, bytes bytesOf: (Item) -> Int) {
        while count < items.count {
            let item = items[count]
            if count > 0 && (events + eventsOf(item) > eventsMax || bytes + bytesOf(item) > bytesMax) { break }
            events += eventsOf(item)
            bytes += bytesOf(item)
            count += 1
        }
    }
}
