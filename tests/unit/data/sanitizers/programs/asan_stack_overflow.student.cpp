namespace round_robin {

int remaining(int need, int slice) {
    if (need == 0) return 0;           // never reached for odd need
    return remaining(need - slice, slice) + 1;
}

}  // namespace round_robin
